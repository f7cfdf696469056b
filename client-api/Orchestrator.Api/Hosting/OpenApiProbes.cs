using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// What <c>/healthz</c> and <c>/readyz</c> answer (the silo's Program.cs and SiloReadiness map them; this describes
/// them, open, under the Health tag): <c>status</c> (<c>alive</c>; <c>ready</c>, <c>not ready</c>, <c>stopping</c>),
/// and for readiness the silo's name and address or its membership status, or the API process's role.
/// </summary>
public sealed record ProbeStatus(string Status, string? Silo, string? Address, string? Membership, string? Role);

internal static class OpenApiProbes
{
    public static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + context.Description.RelativePath;
        if (path is not ("/healthz" or "/readyz"))
        {
            return;
        }
        var schema = await context.GetOrCreateSchemaAsync(typeof(ProbeStatus), null, cancellationToken);
        OpenApiResponse Answer(string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new() { Schema = schema } },
        };
        operation.Tags = new HashSet<OpenApiTagReference> { new("Health", context.Document) };
        operation.Responses = path == "/healthz"
            ? new OpenApiResponses { ["200"] = Answer("The process is alive.") }
            : new OpenApiResponses
            {
                ["200"] = Answer("Ready: the silo is active in the cluster (or the API process is connected)."),
                ["503"] = Answer("Not ready, or stopping."),
            };
    }
}
