using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Blobs;

namespace Orchestrator.Api.Files;

/// <summary>
/// /api/v1/files: files uploaded for distribution, named by their SHA-256, each into a namespace (the content is
/// stored once, whichever namespaces uploaded it). An upload is the raw body, of any content
/// type, up to <see cref="Hosting.ApiOptions.MaxUploadBytes"/> (413 past it, before it is read when the length is
/// declared); it streams to the blob store, never whole into memory.
/// </summary>
public static class FilesApi
{
    public static RouteGroupBuilder MapFilesApi(this IEndpointRouteBuilder routes, Hosting.ApiOptions options)
    {
        var group = routes.MapGroup("/api/v1/files").WithTags("Files");
        group.MapPost("/", UploadInto).WithMetadata(new BodyLimit(options.MaxUploadBytes), Body);
        group.MapGet("/{sha256}", DownloadVisible).WithMetadata(Content);
        return group;
    }

    /// <summary>An upload's body, for the OpenAPI document: the raw bytes, of any content type.</summary>
    internal static readonly Hosting.DescribedBody Body = new(null, true, "The file's bytes, of any content type.", ["application/octet-stream"]);

    /// <summary>A download's content, for the OpenAPI document.</summary>
    internal static readonly Hosting.AlsoAnswers Content = new(200, "application/octet-stream", "The file's bytes.");

    /// <summary>An agent's upload (a file source collected from a host): stored, in no namespace; the step that asked for it uses it.</summary>
    internal static async Task<Results<Created<FileStored>, ProblemHttpResult>> Upload(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if (new QueryValues(http).Problem() is { } bad)
        {
            return bad;
        }
        var (info, problem) = await StoreAsync(http, api, cancellationToken);
        return problem is not null ? problem : TypedResults.Created($"/api/v1/files/{info!.Sha256}", new FileStored(info.Sha256, info.Size));
    }

    /// <summary>
    /// <c>POST /api/v1/files?namespace=</c> (default <c>default</c>): stores the file and records it in the namespace,
    /// which needs operator there. Plans of the namespace may then reference it.
    /// </summary>
    internal static async Task<Results<Created<FileStored>, ProblemHttpResult>> UploadInto(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var ns = NamespaceScope.Read(query) ?? Roles.DefaultNamespace;
        if (query.Problem() is { } bad)
        {
            return bad;
        }
        if (!Access.Allows(http.User, ns, Role.Operator))
        {
            return Access.Forbidden(http, Access.Refusal(Role.Operator, ns));
        }
        var (info, problem) = await StoreAsync(http, api, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        await api.Client.GetGrain<IFileGrain>(IFileGrain.Key(ns, info!.Sha256)).Record(info.Size, Caller.Of(http));
        return TypedResults.Created($"/api/v1/files/{info.Sha256}", new FileStored(info.Sha256, info.Size, ns));
    }

    private static async Task<(BlobInfo? Info, ProblemHttpResult? Problem)> StoreAsync(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var limit = api.Options.MaxUploadBytes;
        if (http.Request.ContentLength > limit)
        {
            return (null, Problems.From(RequestBody.TooLarge(limit)));
        }
        try
        {
            return (await api.Client.Blobs.PutAsync(http.Request.Body, cancellationToken), null);
        }
        catch (BlobTooLargeException)
        {
            return (null, Problems.From(RequestBody.TooLarge(limit)));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.From(RequestBody.TooLarge(limit)));
        }
    }

    /// <summary>
    /// <c>GET /api/v1/files/{sha256}</c>: a file uploaded into a namespace the caller may read (any stored file for a
    /// reader of every namespace); any other reads as absent.
    /// </summary>
    internal static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadVisible(string sha256, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if (sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower))
        {
            var grants = CallerClaims.GrantsOf(http.User);
            if (!grants.ViewsEvery && !await InAnyAsync(api, sha256, grants.Viewable, cancellationToken))
            {
                return Problems.NotFound($"No file {sha256}.");
            }
        }
        return await Download(sha256, http, api, cancellationToken);
    }

    private static async Task<bool> InAnyAsync(ApiContext api, string sha256, IReadOnlyList<string> namespaces, CancellationToken cancellationToken)
    {
        foreach (var ns in namespaces)
        {
            if ((await api.Client.Indexes.GetAsync(IndexKinds.File, ns, [sha256], cancellationToken)).Count > 0)
            {
                return true;
            }
        }
        return false;
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
