using Orchestrator.Api.Common;

namespace Orchestrator.Api.Files;

/// <summary>/api/v1/files: files uploaded for distribution, named by their SHA-256.</summary>
public static class FilesApi
{
    public static RouteGroupBuilder MapFilesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/files").WithTags("Files").AddEndpointFilter(ApiContext.RequireClient);
        group.MapPost("/", Upload);
        group.MapGet("/{sha256}", Download);
        return group;
    }

    internal static async Task<IResult> Upload(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        try
        {
            var info = await client.Blobs.PutAsync(http.Request.Body, cancellationToken);
            return TypedResults.Created($"/api/v1/files/{info.Sha256}", new { sha256 = info.Sha256, size = info.Size });
        }
        catch (Runtime.Grains.OrchestratorRuntimeException e)
        {
            return Problems.Field("body", e.Message);
        }
    }

    internal static async Task<IResult> Download(string sha256, ApiContext api, CancellationToken cancellationToken)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            return Problems.Field("sha256", $"'{sha256}' is not a lowercase hex SHA-256.");
        }
        var client = api.Client;
        var stream = await client.Blobs.OpenReadAsync(sha256, cancellationToken);
        return stream is null ? Problems.NotFound($"No file {sha256}.") : TypedResults.Stream(stream, "application/octet-stream");
    }

}
