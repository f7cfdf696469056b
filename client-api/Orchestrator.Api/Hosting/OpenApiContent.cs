using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// A request body as the document describes it. Handlers read their bodies themselves (one strict reader for every
/// endpoint, docs/api.md "Limits and errors"), so nothing in their signatures says what they take; this says it,
/// without the content-type routing that <c>Accepts</c> metadata would add. <paramref name="Schema"/> is the JSON
/// shape (null: any JSON object); YAML and text types are described as text; <paramref name="Example"/> is shown for
/// the first content type, <paramref name="YamlExample"/> for the YAML ones.
/// </summary>
public sealed record DescribedBody(Type? Schema, bool Required, string Description, string[] ContentTypes, string? Example = null, string? YamlExample = null);

/// <summary>Another content type a response of <paramref name="Status"/> may have (plain-text logs, YAML plans, raw files), beside what the signature says.</summary>
public sealed record AlsoAnswers(int Status, string ContentType, string Description);

/// <summary>Adds <see cref="DescribedBody"/> and <see cref="AlsoAnswers"/> to the operations that carry them.</summary>
internal static class OpenApiContent
{
    public static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<DescribedBody>().LastOrDefault() is { } body)
        {
            var json = body.Schema is null ? new OpenApiSchema { Type = JsonSchemaType.Object } : await context.GetOrCreateSchemaAsync(body.Schema, null, cancellationToken);
            var content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal);
            foreach (var type in body.ContentTypes)
            {
                var isJson = type.EndsWith("json", StringComparison.Ordinal);
                var isBinary = type == "application/octet-stream";
                content[type] = new OpenApiMediaType
                {
                    Schema = isJson ? json : new OpenApiSchema { Type = JsonSchemaType.String, Format = isBinary ? "binary" : null },
                    Example = isJson && body.Example is { } example ? JsonNode.Parse(example)
                        : type.Contains("yaml", StringComparison.Ordinal) && body.YamlExample is { } yaml ? JsonValue.Create(yaml) : null,
                };
            }
            operation.RequestBody = new OpenApiRequestBody { Required = body.Required, Description = body.Description, Content = content };
        }
        foreach (var also in metadata.OfType<AlsoAnswers>())
        {
            var key = also.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            operation.Responses ??= [];
            if (!operation.Responses.TryGetValue(key, out var response) || response is not OpenApiResponse concrete)
            {
                concrete = new OpenApiResponse { Description = also.Description };
                operation.Responses[key] = concrete;
            }
            concrete.Content ??= new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal);
            concrete.Content[also.ContentType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = also.ContentType == "application/octet-stream" ? "binary" : null },
            };
            if (concrete.Content.Count > 1)
            {
                concrete.Description = (concrete.Description is { Length: > 0 } d ? d.TrimEnd('.') + ". " : "") + also.Description;
            }
        }
    }
}
