using Orchestrator.Api.Hosting;

namespace Orchestrator.Api.Plans;

/// <summary>
/// The body of <c>POST /api/v1/plans/{id}/run</c> as the OpenAPI document shows it (the handler reads it with the
/// API's strict reader): every field optional; <c>at</c> and <c>delay</c> exclude each other.
/// </summary>
public sealed record RunBody
{
    /// <summary>Parameter values by name, as strings.</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>The plan version to run (default the latest).</summary>
    public int? Version { get; init; }

    /// <summary>Start then (RFC 3339 with an offset); a time in the past runs now.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>Start after this long (<c>90s</c>, <c>5m</c>, <c>1h30m</c>).</summary>
    public string? Delay { get; init; }

    /// <summary>Where to post the run's status changes.</summary>
    public StatusHookBody? StatusHook { get; init; }
}

/// <summary>A status hook: an absolute http(s) URL, and the secret its events are signed with (optional).</summary>
public sealed record StatusHookBody
{
    public required string Url { get; init; }

    public string? Secret { get; init; }
}

/// <summary>How the plan endpoints' bodies are described, with examples.</summary>
internal static class PlanRequests
{
    /// <summary>A plan in YAML, shown as the example of a plan body (a test parses it).</summary>
    internal const string YamlExample = """
        name: deploy web
        parameters:
          - name: version
            required: true
        steps:
          - name: roll-out
            targets:
              selector: "role=web"
            script: ./deploy.sh "${{ params.version }}"
            execution:
              rolling:
                expression: "1 10% *2"
        """;

    /// <summary>The same plan in JSON.</summary>
    internal const string JsonExample = """
        {"name": "deploy web", "parameters": [{"name": "version", "required": true}],
         "steps": [{"name": "roll-out", "targets": {"selector": "role=web"}, "script": "./deploy.sh \"${{ params.version }}\"",
                    "execution": {"rolling": {"expression": "1 10% *2"}}}]}
        """;

    /// <summary>A plan, in YAML or JSON (docs/plan-format.md); errors name the line and column.</summary>
    public static readonly DescribedBody Plan = new(null, true,
        "A plan in YAML or JSON (docs/plan-format.md); text/plain or no Content-Type: the text says which. Errors give the line and column.",
        ["application/yaml", "application/json", "text/plain"], JsonExample, YamlExample);

    public static readonly DescribedBody Run = new(typeof(RunBody), false, "Optional: parameters, the version, a delayed start, a status hook.",
        ["application/json"], """{"parameters": {"version": "1.4.2"}, "delay": "5m", "statusHook": {"url": "https://ci.example.com/orchestrator-hook", "secret": "s3cr3t"}}""");
}
