using Orleans.Concurrency;
using Orchestrator.Plans.Model;

namespace Orchestrator.GrainInterfaces;

/// <summary>A stored plan, key: plan id. Keeps every version; runs start task instances on a chosen version.</summary>
public interface IPlanGrain : IGrainWithStringKey
{
    /// <summary>Stores a new version (the definition is validated by the caller). Conflict when <see cref="SavePlan.ExpectedVersion"/> is stale.</summary>
    Task Save(SavePlan command);

    /// <summary>Starts a task instance on a version of this plan (the caller validated the parameters).</summary>
    Task Run(RunPlan command);

    [ReadOnly]
    ValueTask<PlanView?> GetAsync(int? version);

    /// <summary>Every version, newest first, with when and by whom it was saved; null when there is no plan.</summary>
    [ReadOnly]
    ValueTask<IReadOnlyList<PlanVersionInfo>?> GetVersionsAsync();

    /// <summary>The plan's namespace; null when there is no plan.</summary>
    [ReadOnly]
    ValueTask<string?> GetNamespaceAsync();

    [ReadOnly]
    ValueTask<RequestResult?> GetRequestResultAsync(string requestId);
}

/// <summary>
/// A new version of a plan. ExpectedVersion: the version the caller edited; null overwrites whatever is stored; 0 creates
/// only. The definition's namespace (null: <c>default</c>) must be the stored plan's (400 otherwise).
/// </summary>
[GenerateSerializer]
public sealed record SavePlan(string RequestId, PlanDefinition Definition, int? ExpectedVersion, string By);

/// <summary>
/// Version 0 runs the latest version. Parameters are checked again against the version run (a schedule's parameters
/// were checked when it was saved, perhaps against another version); a run refused by a schedule is reported back to it.
/// </summary>
[GenerateSerializer]
public sealed record RunPlan(string RequestId, string InstanceId, int Version, IReadOnlyDictionary<string, string> Parameters, string By, RunOptions? Options = null);

[GenerateSerializer]
public sealed record PlanView(string Id, int Version, int LatestVersion, PlanDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<string> RecentInstances)
{
    /// <summary>The namespace the plan is in (fixed when it was created).</summary>
    [Id(7)]
    public string Namespace { get; init; } = Plans.Model.Namespaces.Default;
}

/// <summary>
/// A version of a plan: its number, the plan's name in it, when it was saved and by whom (null for a version saved before
/// the plan kept them, but for the first and the latest, whose times the plan always kept).
/// </summary>
[GenerateSerializer]
public sealed record PlanVersionInfo(int Version, string Name, DateTimeOffset? SavedAt, string? By);
