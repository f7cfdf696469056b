using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Orchestrator.Api.Common;

/// <summary>
/// Reads a request body into memory within a size limit: a <c>Content-Length</c> over the limit is answered 413 before
/// a byte is read, a body without one is read up to the limit and refused (413) the moment it goes past, and the
/// server's own limit is set to the same number so that nothing larger is buffered anywhere.
/// </summary>
public static class RequestBody
{
    public static async Task<(byte[]? Bytes, InputError? Error)> ReadAsync(HttpContext http, long limit, CancellationToken cancellationToken)
    {
        var request = http.Request;
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature && (feature.MaxRequestBodySize is null || feature.MaxRequestBodySize > limit))
        {
            feature.MaxRequestBodySize = limit;
        }
        try
        {
            if (request.ContentLength is { } length)
            {
                var bytes = new byte[length];
                await request.Body.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                return (bytes, null);
            }
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, TooLarge(limit));
                }
                buffer.Write(chunk, 0, read);
            }
            return (buffer.ToArray(), null);
        }
        catch (BadHttpRequestException e)
        {
            return (null, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(limit)
                : new InputError(e.StatusCode, new FieldError("body", "The body could not be read: " + e.Message)));
        }
        catch (EndOfStreamException)
        {
            return (null, InputError.BadRequest("body", "The body ended before its Content-Length."));
        }
    }

    public static InputError TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, new FieldError("body", $"The body is larger than the limit of {Size(limit)}."));

    /// <summary>A byte count as the docs write limits: 1 MiB, 64 KiB, 100 bytes.</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)} MiB ({bytes} bytes)",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KiB ({bytes} bytes)",
        _ => $"{bytes} bytes",
    };
}

/// <summary>Content types a body is accepted in.</summary>
public static class MediaTypes
{
    /// <summary>The media type (lower case, without parameters) and charset of a <c>Content-Type</c>; null media type when there is none or it does not parse.</summary>
    public static (string? MediaType, string? Charset) Parse(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType.Value is not { } media)
        {
            return (null, null);
        }
        return (media.ToLowerInvariant(), parsed.Charset.HasValue ? parsed.Charset.Value!.Trim('"') : null);
    }

    public static bool IsJson(string? mediaType) => mediaType is "application/json" || mediaType?.EndsWith("+json", StringComparison.Ordinal) == true;

    public static bool IsYaml(string? mediaType) =>
        mediaType is "application/yaml" or "application/x-yaml" or "text/yaml" or "text/x-yaml" || mediaType?.EndsWith("+yaml", StringComparison.Ordinal) == true;

    /// <summary>Null when the charset is absent or UTF-8 (the only one the API reads); else the 415.</summary>
    public static InputError? RequireUtf8(string? charset) =>
        charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            ? null
            : Unsupported($"charset {Quote.Of(charset)} is not read; send UTF-8.");

    /// <summary>Null for a JSON media type in UTF-8; else the 415 naming <c>Content-Type</c>.</summary>
    public static InputError? RequireJson(string? contentType)
    {
        var (media, charset) = Parse(contentType);
        if (!IsJson(media))
        {
            return Unsupported(contentType is null
                ? "missing; send the body as application/json."
                : $"{Quote.Of(contentType)} is not JSON; send the body as application/json.");
        }
        return RequireUtf8(charset);
    }

    public static InputError Unsupported(string message) =>
        new(StatusCodes.Status415UnsupportedMediaType, new FieldError("Content-Type", message));
}
