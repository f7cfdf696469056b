using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// The document as a whole: its title, version and description, the tags of each area, and the security schemes the
/// operations refer to (<see cref="OpenApiSecurity"/>). No <c>servers</c>: the document is the same wherever it is
/// served, so that the committed copy can be compared with what the API serves.
/// </summary>
internal static class OpenApiDescription
{
    /// <summary>The version the document states; it follows the API's path (<c>/api/v1</c>).</summary>
    public const string Version = "v1";

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Plans", "Execution plans: versioned definitions (YAML or JSON), and runs of them."),
        ("Schedules", "Cron schedules that run a plan."),
        ("Task instances", "Runs of a plan: their steps, host targets and logs, and the control actions on them."),
        ("Hosts", "The inventory agents registered, and revoking a host's agent."),
        ("Files", "Content-addressed files for file distribution steps."),
        ("Status hooks", "Where a run's status events stand, and replaying parked ones."),
        ("Dead letters", "Messages of runs that kept failing and were parked."),
        ("Tokens", "API tokens (admin)."),
        ("Audit", "The audit log of every state-changing request (admin)."),
        ("Jobs (Harbor job service)", "Harbor's job service contract, with its own Harbor-Secret scheme and error body (docs/jobs-api.md)."),
        ("Agent protocol", "What agents call (docs/agent-protocol.md): registration with the registration token, then the agent's own credential."),
        ("Health", "Liveness and readiness probes, open."),
    ];

    /// <summary>Whether a path belongs in the document: the API under /api/v1 and the probes.</summary>
    public static bool Describes(string path) =>
        path.StartsWith("/api/v1/", StringComparison.Ordinal) || path is "/healthz" or "/readyz" or "/metrics";

    /// <summary>
    /// Removes the schema of an anonymous type no operation refers to any more: <c>/healthz</c> answers an anonymous
    /// object in the silo's Program.cs, which <see cref="OpenApiProbes"/> describes as <see cref="ProbeStatus"/> instead.
    /// Replies of the API are named records, never anonymous; were one referred to, the document test finds the
    /// dangling reference.
    /// </summary>
    public static Task DropUnusedAnonymousSchemasAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas is not { } schemas)
        {
            return Task.CompletedTask;
        }
        foreach (var name in schemas.Keys.Where(k => k.StartsWith("AnonymousType", StringComparison.Ordinal)).ToList())
        {
            schemas.Remove(name);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// A property that may be null is left out of a reply when it is (nulls are not written), so it is not
    /// <c>required</c>, whatever the record's constructor says.
    /// </summary>
    public static Task OptionalNullsAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Required is not { Count: > 0 } required || schema.Properties is not { } properties)
        {
            return Task.CompletedTask;
        }
        foreach (var (name, property) in properties)
        {
            if (property.Type is { } type && type.HasFlag(JsonSchemaType.Null) || property.OneOf?.Any(s => s.Type == JsonSchemaType.Null) == true)
            {
                required.Remove(name);
            }
        }
        return Task.CompletedTask;
    }

    public static Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Orchestrator API",
            Version = Version,
            Description = "A durable job and workflow orchestrator: execution plans run as task instances, whose steps run on host "
                + "targets through agents. JSON in camelCase, enums as camelCase strings; errors are RFC 7807 problem details "
                + "naming the field (`errors[].path`) with the request's `traceId`. Every operation but the probes needs a "
                + "caller: see each operation's security. The whole contract, with every limit, is docs/api.md.",
        };
        document.Servers = [];
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = OpenApiSecurity.Schemes();
        return Task.CompletedTask;
    }
}
