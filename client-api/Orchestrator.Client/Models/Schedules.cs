using System.Text.Json;

namespace Orchestrator.Client;

/// <summary>
/// A schedule's settings as sent to <c>PUT /api/v1/plans/{planId}/schedules/{name}</c> (docs/scheduling.md). Null
/// leaves a field to the server's default.
/// </summary>
public sealed record ScheduleRequest
{
    /// <summary>5 or 6 cron fields, or a macro (<c>@daily</c>). Required.</summary>
    public required string Cron { get; init; }

    /// <summary>IANA zone; default UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary><c>either</c> (default) or <c>both</c>.</summary>
    public string? DayMatching { get; init; }

    public string? Description { get; init; }

    public bool? Suspend { get; init; }

    /// <summary>A duration (<c>30m</c>) or whole seconds.</summary>
    public string? StartingDeadline { get; init; }

    /// <summary><c>allow</c>, <c>forbid</c> (default), <c>replace</c>, <c>bufferOne</c>.</summary>
    public string? Overlap { get; init; }

    /// <summary><c>none</c>, <c>latest</c> (default), <c>all</c>.</summary>
    public string? CatchUp { get; init; }

    public string? CatchUpWindow { get; init; }

    public int? SuccessfulHistoryLimit { get; init; }

    public int? FailedHistoryLimit { get; init; }

    public int? PlanVersion { get; init; }

    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    public StatusHookSpec? StatusHook { get; init; }
}

/// <summary>The reply to a schedule save: the revision it made (1: created).</summary>
public sealed record ScheduleSaved(string PlanId, string Name, int Revision)
{
    public bool Created => Revision == 1;
}

/// <summary>
/// A schedule as <c>GET</c> shows it: the spec (secrets masked), due times, counts, active runs, recent runs and
/// skipped fires (newest first), and the next fire times. The spec and lists are kept as JSON.
/// </summary>
public sealed record Schedule(string Key, string PlanId, string Name, int Revision, JsonElement Spec, DateTimeOffset? NextDue, DateTimeOffset? LastDue,
    long Fired, long Skipped, IReadOnlyList<string> Active, DateTimeOffset? Buffered, IReadOnlyList<DateTimeOffset> Backlog,
    IReadOnlyList<ScheduledRun> Runs, IReadOnlyList<SkippedFire> SkippedFires, IReadOnlyList<FireTime> NextFires, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    string Namespace = "default");

/// <summary>A run a schedule started; <see cref="Status"/> is null while it goes on. Trigger: <c>schedule</c>, <c>catchUp</c>, <c>manual</c>.</summary>
public sealed record ScheduledRun(string InstanceId, DateTimeOffset? DueTime, string Trigger, DateTimeOffset StartedAt, ExecutionStatus? Status, DateTimeOffset? FinishedAt, bool Deleted);

/// <summary>A due time that started no run, and why.</summary>
public sealed record SkippedFire(DateTimeOffset DueTime, string Reason, string Detail, DateTimeOffset At);

/// <summary>One fire time: in UTC, in the schedule's zone, and whether daylight saving applies there.</summary>
public sealed record FireTime(DateTimeOffset Utc, string Local, bool DaylightSaving);

/// <summary>One row of a schedule list (<c>planId/name</c>).</summary>
public sealed record ScheduleListItem(string Key, ScheduleSummary? Schedule, string Namespace = "default");

public sealed record ScheduleSummary(string PlanId, string Name, string Cron, string TimeZone, bool Suspend, DateTimeOffset? NextDue, DateTimeOffset? LastDue,
    IReadOnlyDictionary<string, string>? Labels, string? DayMatching);

/// <summary>Fire times of a cron expression (a saved schedule's or one being tried).</summary>
public sealed record SchedulePreview(string Cron, string TimeZone, string DayMatching, bool? Suspend, IReadOnlyList<FireTime> Fires);

/// <summary>The body of <c>POST /api/v1/schedules/preview</c>: try an expression without saving.</summary>
public sealed record SchedulePreviewRequest(string Cron, string? TimeZone = null, string? DayMatching = null, int? Count = null, DateTimeOffset? From = null);

/// <summary>The reply to suspend or resume.</summary>
public sealed record ScheduleSuspended(string PlanId, string Name, bool Suspend, int Revision);

/// <summary>The reply to run now: the new instance.</summary>
public sealed record ScheduleRunStarted(string Id, string PlanId, string Schedule);
