using System.Text.Json;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Plans;

/// <summary>A plan saved: its id and the version the save made (201 for version 1, 200 after).</summary>
public sealed record PlanSaved(string Id, int Version);

/// <summary>
/// A dry run's answer (<c>?dryRun=true</c>): the plan is valid and the caller may save it into <c>namespace</c>; the
/// latest stored version (null: it would be created) and how many steps it has. Nothing was saved.
/// </summary>
public sealed record PlanChecked(string Id, string Namespace, int? StoredVersion, int Steps, bool DryRun = true);

/// <summary>
/// One version of a plan with its definition (secret parameters' defaults masked as <c>***</c>) and the task instances
/// it ran most recently.
/// </summary>
public sealed record PlanReply(string Id, string Namespace, int Version, int LatestVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, JsonElement Definition,
    IReadOnlyList<string> RecentInstances);

/// <summary>A plan's versions, newest first: each with the plan's name in it, when it was saved and by whom (null when not known).</summary>
public sealed record PlanVersionsReply(string Id, string Namespace, int LatestVersion, IReadOnlyList<PlanVersionInfo> Versions);

/// <summary>A plan in the list: its id and what the index holds of its latest version.</summary>
public sealed record PlanListItem(string Id, string Namespace, PlanIndexData? Plan);

/// <summary>A run accepted (202): the task instance it starts, and the plan version it runs.</summary>
public sealed record RunAccepted(string Id, string PlanId, int PlanVersion, string Namespace);
