using System.Text;
using System.Text.Json;
using Orchestrator.Api.Common;

namespace Orchestrator.Api.Schedules;

/// <summary>
/// Reads the JSON body of a schedules request itself, so that nothing about it reaches ASP.NET's binding (which
/// answers an empty 400, or a 500 for an empty body): the content type must be JSON (or absent), the body at most
/// <see cref="MaxBytes"/>, not empty, a JSON object; a UTF-8 byte order mark is skipped. Every string and property name
/// must be text without NUL characters or unpaired surrogates; each refusal names the field.
/// </summary>
public static class ScheduleBody
{
    /// <summary>The largest body accepted (1 MiB).</summary>
    public const int MaxBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    /// <summary>The body as a JSON object, or the problem response that refuses it.</summary>
    public static async Task<(JsonDocument? Body, IResult? Error)> ReadAsync(HttpRequest request, string example, CancellationToken cancellationToken)
    {
        if (request.ContentType is { Length: > 0 } type && !IsJson(type))
        {
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "Content-Type",
                $"'{type}' is not JSON; send the schedule as application/json."));
        }
        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return (null, TooLarge());
            }
            buffer.Write(chunk, 0, read);
        }

        var bytes = new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (bytes.Span.StartsWith(Encoding.UTF8.Preamble))
        {
            bytes = bytes[Encoding.UTF8.Preamble.Length..];
        }
        if (bytes.Span.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            return (null, Problems.Field("body", $"The body is empty; send a JSON object, e.g. {example}."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, Options);
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? (int)l + 1 : (int?)null;
            var column = e.BytePositionInLine is { } c ? (int)c + 1 : (int?)null;
            return (null, Problems.Validation([new FieldError("body", $"Not valid JSON: {FirstSentence(e.Message)}", line, column)]));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind.ToString().ToLowerInvariant();
            document.Dispose();
            return (null, Problems.Field("body", $"The body is a JSON {kind}; it must be a JSON object, e.g. {example}."));
        }

        var errors = new List<FieldError>();
        CheckText(document.RootElement, "", errors);
        if (errors.Count > 0)
        {
            document.Dispose();
            return (null, Problems.Validation(errors, "The request is invalid."));
        }
        return (document, null);
    }

    /// <summary>The JSON path of a property under <paramref name="parent"/>: <c>a.b</c>, or <c>a["x y"]</c> when the name is not a plain word.</summary>
    public static string PathOf(string parent, string name)
    {
        var plain = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        var segment = plain ? name : "[" + JsonSerializer.Serialize(name) + "]";
        return parent.Length == 0 ? (plain ? name : "$" + segment) : plain ? $"{parent}.{name}" : parent + segment;
    }

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every property name and string value is readable text without NUL (U+0000), which no schedule field can hold.</summary>
    private static void CheckText(JsonElement element, string path, List<FieldError> errors)
    {
        if (errors.Count >= 20)
        {
            return;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var index = 0;
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        errors.Add(new FieldError(path.Length == 0 ? "body" : path, $"Property {index + 1} has a name that is not valid text (an unpaired surrogate)."));
                        return;
                    }
                    var child = PathOf(path, name);
                    if (name.Contains('\0', StringComparison.Ordinal))
                    {
                        errors.Add(new FieldError(child, "A property name cannot contain NUL (U+0000)."));
                        return;
                    }
                    CheckText(property.Value, child, errors);
                    index++;
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckText(item, $"{(path.Length == 0 ? "$" : path)}[{i++}]", errors);
                }
                break;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    errors.Add(new FieldError(path, "Not valid text (an unpaired surrogate)."));
                    return;
                }
                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    errors.Add(new FieldError(path, "Cannot contain NUL (U+0000)."));
                }
                break;
        }
    }

    private static IResult TooLarge() =>
        Problem(StatusCodes.Status413PayloadTooLarge, "body", $"The body is larger than {MaxBytes / 1024} KiB, the most a schedule request may be.");

    private static IResult Problem(int status, string path, string message) =>
        TypedResults.Problem(
            title: status == StatusCodes.Status415UnsupportedMediaType ? "Unsupported media type." : "Request too large.",
            detail: $"{path}: {message}",
            statusCode: status,
            extensions: new Dictionary<string, object?> { ["errors"] = new[] { new FieldError(path, message) } });

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..(cut + 1)] : message;
    }
}
