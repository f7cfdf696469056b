using System.Text.Json;

namespace Orchestrator.Client;

/// <summary>The reply to a plan save: the plan's id and the version the save made (1: it was created).</summary>
public sealed record PlanSaved(string Id, int Version)
{
    /// <summary>This save created the plan (201).</summary>
    public bool Created => Version == 1;
}

/// <summary>
/// A dry run's answer (<see cref="OrchestratorClient.CheckPlanAsync"/>): the plan is valid and the caller may save it into
/// <see cref="Namespace"/>; the latest stored version (null: it would be created) and its number of steps. Nothing was saved.
/// </summary>
public sealed record PlanChecked(string Id, string Namespace, int? StoredVersion, int Steps);

/// <summary>
/// A plan version as <c>GET /api/v1/plans/{id}</c> shows it: its definition as JSON (secret parameters' defaults
/// masked as <c>***</c>), when it was made, and the ids of its recent task instances.
/// </summary>
public sealed record Plan(string Id, int Version, int LatestVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, JsonElement Definition, IReadOnlyList<string> RecentInstances,
    string Namespace = "default");

/// <summary>One row of the plan list: the id, and the latest version's name, number and time.</summary>
public sealed record PlanListItem(string Id, PlanSummary? Plan, string Namespace = "default");

public sealed record PlanSummary(string Name, int Version, DateTimeOffset UpdatedAt);

/// <summary>The text format of a plan body.</summary>
public enum PlanFormat
{
    /// <summary><c>application/yaml</c>.</summary>
    Yaml,

    /// <summary><c>application/json</c>.</summary>
    Json,
}

/// <summary>
/// The body of a run (<c>POST /api/v1/plans/{id}/run</c>): parameter values (strings, checked against the plan), a
/// version (default the latest), and for a delayed run either <see cref="At"/> or <see cref="Delay"/>, and a status hook.
/// </summary>
public sealed record RunRequest
{
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>The plan version to run; null: the latest.</summary>
    public int? Version { get; init; }

    /// <summary>Start at this time (a time in the past starts at once); excludes <see cref="Delay"/>.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>Start after this long; excludes <see cref="At"/>.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>Where the run's status changes are posted.</summary>
    public StatusHookSpec? StatusHook { get; init; }
}

/// <summary>A status hook: an absolute http(s) URL and an optional signing secret (1 to 512 characters).</summary>
public sealed record StatusHookSpec(string Url, string? Secret = null);

/// <summary>The reply to a run: the new task instance's id and the plan version it runs.</summary>
public sealed record RunStarted(string Id, string PlanId, int PlanVersion, string Namespace = "default");
