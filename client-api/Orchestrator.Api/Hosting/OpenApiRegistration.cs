using Microsoft.AspNetCore.OpenApi;
using Scalar.AspNetCore;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// The API's description of itself: the OpenAPI document at <see cref="DocumentPath"/> (committed as
/// <c>docs/openapi.json</c>, checked by a test) and the Scalar reference at <see cref="ReferencePath"/>. Both are open:
/// they describe the shape of the API, which is public in the repository anyway, and hold no data.
/// </summary>
public static class OpenApiRegistration
{
    /// <summary>The document's name, in its URL.</summary>
    public const string DocumentName = "v1";

    /// <summary>Where the document is served.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Where the interactive reference is served.</summary>
    public const string ReferencePath = "/api/docs";

    public static IServiceCollection AddOrchestratorOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, o =>
        {
            // The API, the jobs API, the agent gateway and the health probes; not the Orleans dashboard or the
            // reference itself.
            o.ShouldInclude = d => d.RelativePath is { } path && OpenApiDescription.Describes("/" + path);
            o.AddDocumentTransformer(OpenApiDescription.DescribeDocumentAsync);
            o.AddSchemaTransformer(OpenApiDescription.OptionalNullsAsync);
            o.AddOperationTransformer(OpenApiOperations.DescribeAsync);
            o.AddOperationTransformer(OpenApiSecurity.RequireAsync);
            o.AddOperationTransformer(OpenApiContent.DescribeAsync);
            o.AddOperationTransformer(OpenApiProbes.DescribeAsync);
            o.AddOperationTransformer(ProblemResponses.DescribeAsync);
            o.AddDocumentTransformer(OpenApiDescription.DropUnusedAnonymousSchemasAsync);
        });

    public static IEndpointRouteBuilder MapOrchestratorOpenApi(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi(DocumentPath).AllowAnonymous().ExcludeFromDescription();
        routes.MapScalarApiReference(ReferencePath, o => o
            .WithTitle("Orchestrator API")
            .WithOpenApiRoutePattern(DocumentPath)
            .DisableDefaultFonts() // served from Scalar's CDN otherwise: nothing here is fetched from the internet
            .DisableTelemetry())
            .AllowAnonymous().ExcludeFromDescription();
        return routes;
    }
}
