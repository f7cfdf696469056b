using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Api.Schedules;

/// <summary>A schedule saved (201 for revision 1, 200 after); the revision is also the reply's ETag.</summary>
public sealed record ScheduleSaved(string PlanId, string Name, int Revision);

/// <summary>A schedule suspended or resumed, and the revision that made.</summary>
public sealed record ScheduleSuspended(string PlanId, string Name, bool Suspend, int Revision);

/// <summary>A schedule's run started now (202): the task instance it starts.</summary>
public sealed record ScheduleRunAccepted(string Id, string PlanId, string Schedule);

/// <summary>One fire time: in UTC, in the schedule's zone (with its offset), and whether daylight saving time is in force then.</summary>
public sealed record FireTime(DateTimeOffset Utc, string Local, bool DaylightSaving);

/// <summary>The next fire times of a saved schedule.</summary>
public sealed record SchedulePreviewReply(string Cron, string TimeZone, DayMatching DayMatching, bool Suspend, IReadOnlyList<FireTime> Fires);

/// <summary>The next fire times of an expression tried without saving.</summary>
public sealed record CronPreviewReply(string Cron, string TimeZone, DayMatching DayMatching, IReadOnlyList<FireTime> Fires);

/// <summary>A schedule in the list: its key (<c>planId/name</c>) and its index row, with the day rule in force.</summary>
public sealed record ScheduleListItem(string Key, string Namespace, ScheduleIndexData? Schedule);

/// <summary>A status hook as a schedule shows it: the URL with its user information and query values as <c>***</c>, the secret as <c>***</c>.</summary>
public sealed record StatusHookView(string Url, string? Secret);

/// <summary>
/// A schedule's settings as the API shows them: durations as text (<c>90s</c>, <c>1h</c>), parameters given as the plan
/// defines them (secrets <c>***</c>), the hook redacted.
/// </summary>
public sealed record ScheduleSpecView(string Cron, string TimeZone, DayMatching DayMatching, string? Description, bool Suspend, string? StartingDeadline,
    OverlapPolicy Overlap, CatchUpMode CatchUp, string CatchUpWindow, int SuccessfulHistoryLimit, int FailedHistoryLimit, int? PlanVersion,
    IReadOnlyDictionary<string, string> Parameters, StatusHookView? StatusHook, IReadOnlyDictionary<string, string>? Labels);

/// <summary>
/// A schedule: its settings, where its fires stand (next and last due, counts, the runs going and buffered, the
/// backlog), its latest runs and skipped fires (newest first), and its next fire times.
/// </summary>
public sealed record ScheduleReply(string Key, string Namespace, string PlanId, string Name, int Revision, ScheduleSpecView Spec, DateTimeOffset? NextDue, DateTimeOffset? LastDue,
    long Fired, long Skipped, IReadOnlyList<string> Active, DateTimeOffset? Buffered, IReadOnlyList<DateTimeOffset> Backlog, IReadOnlyList<ScheduledRun> Runs,
    IReadOnlyList<SkippedFire> SkippedFires, IReadOnlyList<FireTime> NextFires, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
