using System.Text;
using Orchestrator.Api.Common;

namespace Orchestrator.Api.Plans;

/// <summary>
/// The body of a plan PUT or POST: YAML (<c>application/yaml</c>, <c>application/x-yaml</c>, <c>text/yaml</c>,
/// <c>*+yaml</c>) or JSON (<c>application/json</c>, <c>*+json</c>), or <c>text/plain</c> / no type (then the text says
/// which); UTF-8 only, a byte order mark allowed, within <see cref="ApiLimits.MaxBodyBytes"/>, not empty, and without a
/// NUL character anywhere.
/// </summary>
public static class PlanBody
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<(string? Text, InputError? Error)> ReadAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var (bytes, readError) = await RequestBody.ReadAsync(http, ApiLimits.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (readError is not null)
        {
            return (null, readError);
        }
        var (media, charset) = MediaTypes.Parse(http.Request.ContentType);
        if (http.Request.ContentType is { } given && !(MediaTypes.IsJson(media) || MediaTypes.IsYaml(media) || media is "text/plain" or "application/octet-stream"))
        {
            return (null, MediaTypes.Unsupported($"{Quote.Of(given)} is not a plan format; send application/yaml or application/json."));
        }
        if (MediaTypes.RequireUtf8(charset) is { } charsetError)
        {
            return (null, charsetError);
        }
        string text;
        try
        {
            text = Strict.GetString(bytes!);
        }
        catch (DecoderFallbackException e)
        {
            return (null, InputError.BadRequest("body", $"Not UTF-8: an invalid byte sequence at byte {e.Index}."));
        }
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, InputError.BadRequest("body", "The plan is empty; send it as YAML or JSON."));
        }
        if (text.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0)
        {
            var line = 1 + text.AsSpan(0, nul).Count('\n');
            var column = nul - text.LastIndexOf('\n', Math.Max(0, nul - 1));
            return (null, InputError.BadRequest("body", "The plan holds a NUL character (\\u0000), which no plan text may.", line, column));
        }
        return (text, null);
    }
}
