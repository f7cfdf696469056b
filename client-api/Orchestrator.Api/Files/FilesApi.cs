using Orchestrator.Api.Common;
using Orchestrator.Runtime.Blobs;

namespace Orchestrator.Api.Files;

/// <summary>
/// /api/v1/files: files uploaded for distribution, named by their SHA-256. An upload is the raw body, of any content
/// type, up to <see cref="Hosting.ApiOptions.MaxUploadBytes"/> (413 past it, before it is read when the length is
/// declared); it streams to the blob store, never whole into memory.
/// </summary>
public static class FilesApi
{
    public static RouteGroupBuilder MapFilesApi(this IEndpointRouteBuilder routes, Hosting.ApiOptions options)
    {
        var group = routes.MapGroup("/api/v1/files").WithTags("Files");
        group.MapPost("/", Upload).WithMetadata(new BodyLimit(options.MaxUploadBytes), Body);
        group.MapGet("/{sha256}", Download).WithMetadata(Content);
        return group;
    }

    /// <summary>An upload's body, for the OpenAPI document: the raw bytes, of any content type.</summary>
    internal static readonly Hosting.DescribedBody Body = new(null, true, "The file's bytes, of any content type.", ["application/octet-stream"]);

    /// <summary>A download's content, for the OpenAPI document.</summary>
    internal static readonly Hosting.AlsoAnswers Content = new(200, "application/octet-stream", "The file's bytes.");

    internal static async Task<Results<Created<FileStored>, ProblemHttpResult>> Upload(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if (new QueryValues(http).Problem() is { } bad)
        {
            return bad;
        }
        var limit = api.Options.MaxUploadBytes;
        if (http.Request.ContentLength > limit)
        {
            return Problems.From(RequestBody.TooLarge(limit));
        }
        try
        {
            var info = await api.Client.Blobs.PutAsync(http.Request.Body, cancellationToken);
            return TypedResults.Created($"/api/v1/files/{info.Sha256}", new FileStored(info.Sha256, info.Size));
        }
        catch (BlobTooLargeException)
        {
            return Problems.From(RequestBody.TooLarge(limit));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.From(RequestBody.TooLarge(limit));
        }
    }

    internal static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Download(string sha256, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            return Problems.Field("sha256", $"{Quote.Of(sha256)} is not a SHA-256: 64 lowercase hex digits.");
        }
        if (new QueryValues(http).Problem() is { } bad)
        {
            return bad;
        }
        var stream = await api.Client.Blobs.OpenReadAsync(sha256, cancellationToken);
        return stream is null ? Problems.NotFound($"No file {sha256}.") : TypedResults.Stream(stream, "application/octet-stream");
    }
}
