using System.Text.Json;

namespace Orchestrator.Api.Common;

/// <summary>
/// A request's JSON body read strictly: within <see cref="ApiLimits.MaxBodyBytes"/> (413), in a JSON content type and
/// UTF-8 (415), a UTF-8 byte order mark allowed, not empty or white space when required (400 <c>body</c>), syntax errors
/// with line and column, no duplicate field names, nested at most <see cref="ApiLimits.MaxJsonDepth"/> deep, an object
/// at the top, and no string holding a NUL or a lone surrogate (named by its JSON path). Fields are then read with
/// <see cref="JsonFields"/>.
/// </summary>
public sealed class JsonBody : IDisposable
{
    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = ApiLimits.MaxJsonDepth,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    private readonly JsonDocument? _document;

    private JsonBody(JsonDocument? document, InputError? error)
    {
        _document = document;
        Error = error;
    }

    /// <summary>Why the body was refused; null when it is a JSON object, or absent where that is allowed.</summary>
    public InputError? Error { get; }

    /// <summary>The top-level object; null when the body was absent (or refused).</summary>
    public JsonElement? Root => _document?.RootElement;

    /// <summary>
    /// Reads the body. <paramref name="required"/> false: an empty body (0 bytes) means "no body" (<see cref="Root"/>
    /// null). <paramref name="anyContentType"/> true reads JSON whatever <c>Content-Type</c> says (Harbor's contract).
    /// </summary>
    public static async Task<JsonBody> ReadAsync(HttpContext http, bool required, CancellationToken cancellationToken, bool anyContentType = false)
    {
        var (bytes, readError) = await RequestBody.ReadAsync(http, ApiLimits.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (readError is not null)
        {
            return new JsonBody(null, readError);
        }
        if (bytes!.Length == 0)
        {
            return new JsonBody(null, required ? InputError.BadRequest("body", "Required: a JSON object.") : null);
        }
        if (!anyContentType && MediaTypes.RequireJson(http.Request.ContentType) is { } typeError)
        {
            return new JsonBody(null, typeError);
        }
        return Parse(bytes);
    }

    /// <summary>Parses a body already read (exposed for tests and other readers).</summary>
    public static JsonBody Parse(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Span.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }
        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new JsonBody(null, InputError.BadRequest("body", "The body is only white space; send a JSON object."));
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, Options);
        }
        catch (JsonException e)
        {
            return new JsonBody(null, InputError.BadRequest("body", "Not valid JSON: " + WithoutPosition(e.Message),
                e.LineNumber is { } line ? (int)line + 1 : null, e.BytePositionInLine is { } column ? (int)column + 1 : null));
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = JsonFields.Describe(document.RootElement);
            document.Dispose();
            return new JsonBody(null, InputError.BadRequest("body", $"Expected a JSON object, found {kind}."));
        }
        if (FindBadString(document.RootElement, "") is { } bad)
        {
            document.Dispose();
            return new JsonBody(null, bad);
        }
        return new JsonBody(document, null);
    }

    public void Dispose() => _document?.Dispose();

    /// <summary>The first string (value or field name) with a NUL or that is not valid Unicode, as the 400 naming its path.</summary>
    private static InputError? FindBadString(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return InputError.BadRequest(path.Length == 0 ? "body" : path, "A field name is not valid Unicode (a lone surrogate escape).");
                    }
                    var at = JsonFields.Path(path, name);
                    if (name.Contains('\0'))
                    {
                        return InputError.BadRequest(at, "A field name holds a NUL character (\\u0000).");
                    }
                    if (FindBadString(property.Value, at) is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindBadString(item, $"{path}[{index++}]") is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            case JsonValueKind.String:
                try
                {
                    return element.GetString()!.Contains('\0') ? InputError.BadRequest(path, "Holds a NUL character (\\u0000), which no text here may contain.") : null;
                }
                catch (InvalidOperationException)
                {
                    return InputError.BadRequest(path, "Not valid Unicode (a lone surrogate escape such as \\ud800).");
                }
            default:
                return null;
        }
    }

    /// <summary>JsonException messages end with " Path: $ | LineNumber: 0 | BytePositionInLine: 3."; the error carries those itself.</summary>
    private static string WithoutPosition(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }
        return cut < 0 ? message : message[..cut];
    }
}
