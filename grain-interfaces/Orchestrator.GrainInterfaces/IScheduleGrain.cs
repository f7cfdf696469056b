using Orleans.Concurrency;
using Orchestrator.Plans.Model;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// A schedule that starts runs of a plan (key: <see cref="GrainKeys.Schedule"/>), driven by a cron reminder. Every
/// due time either starts a run or is recorded as skipped with its reason. See <c>docs/scheduling.md</c>.
/// </summary>
public interface IScheduleGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the schedule (the caller validated the spec). Conflict when ExpectedRevision is stale.</summary>
    Task Save(SaveSchedule command);

    /// <summary>Removes the schedule: no more fires; runs already started go on.</summary>
    Task Delete(ScheduleCommand command);

    /// <summary>Suspends or resumes firing. Due times passed while suspended are recorded as skipped.</summary>
    Task SetSuspended(SuspendSchedule command);

    /// <summary>Starts a run now, outside the schedule and its overlap policy ("create job from cronjob").</summary>
    Task RunNow(RunScheduleNow command);

    /// <summary>
    /// Moves a Harbor periodic job's schedule saved before day matching existed onto the standard day rule it was
    /// created with (see <c>ScheduleState.AdoptsStandardDayRule</c>), reminder included; does nothing to any other
    /// schedule. The result's value is "true" when it changed something.
    /// </summary>
    Task UpgradeDayRule(ScheduleCommand command);

    /// <summary>From a task instance the schedule started: it ended.</summary>
    Task OnRunFinished(ScheduledRunFinished report);

    /// <summary>From the plan: a run could not start (plan or version gone, parameters no longer valid).</summary>
    Task OnRunRejected(ScheduledRunRejected report);

    [ReadOnly]
    ValueTask<ScheduleView?> GetAsync();

    [ReadOnly]
    ValueTask<RequestResult?> GetRequestResultAsync(string requestId);
}

/// <summary>What happens when a due time comes while an earlier run of the schedule is still going.</summary>
[GenerateSerializer]
public enum OverlapPolicy
{
    /// <summary>Start it anyway: runs overlap.</summary>
    Allow,

    /// <summary>Skip the new fire (recorded, reason overlap). The default.</summary>
    Forbid,

    /// <summary>Cancel the running ones and start the new one.</summary>
    Replace,

    /// <summary>Keep one fire waiting and start it as soon as the running one ends; a later fire replaces the waiting one.</summary>
    BufferOne,
}

/// <summary>What happens to due times missed while the cluster was down (or a fire came later than its grace).</summary>
[GenerateSerializer]
public enum CatchUpMode
{
    /// <summary>Skip them all (recorded, reason missed); carry on with the next due time.</summary>
    None,

    /// <summary>Start the latest missed one, skip the rest (Kubernetes CronJob's behaviour). The default.</summary>
    Latest,

    /// <summary>Start every missed due time within the window, in order; skip older ones.</summary>
    All,
}

/// <summary>A schedule as stored. Cron: 5 or 6 fields or a macro, evaluated in <see cref="TimeZone"/> (IANA).</summary>
[GenerateSerializer]
public sealed record ScheduleSpec
{
    [Id(0)]
    public string Cron { get; init; } = "";

    [Id(1)]
    public string TimeZone { get; init; } = "UTC";

    /// <summary>
    /// How day-of-month and day-of-week combine when both are restricted: either matches (the standard cron rule, the
    /// default) or both must. A schedule saved before this field existed is read as <see cref="Runtime.Reminders.DayMatching.Both"/>,
    /// the only rule then, unless it is a Harbor periodic job's (see <c>ScheduleState.DayMatchingSaved</c>).
    /// </summary>
    [Id(2)]
    public Runtime.Reminders.DayMatching DayMatching { get; init; } = Runtime.Reminders.DayMatching.Either;

    [Id(3)]
    public string? Description { get; init; }

    [Id(4)]
    public bool Suspend { get; init; }

    /// <summary>A fire that cannot start within this time after its due time is skipped (reason deadlinePassed).</summary>
    [Id(5)]
    public TimeSpan? StartingDeadline { get; init; }

    [Id(6)]
    public OverlapPolicy Overlap { get; init; } = OverlapPolicy.Forbid;

    [Id(7)]
    public CatchUpMode CatchUp { get; init; } = CatchUpMode.Latest;

    /// <summary>How far back <see cref="CatchUpMode.All"/> reaches.</summary>
    [Id(8)]
    public TimeSpan CatchUpWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Finished runs kept; older ones are deleted with their logs (Kubernetes' history limits).</summary>
    [Id(9)]
    public int SuccessfulHistoryLimit { get; init; } = 3;

    [Id(10)]
    public int FailedHistoryLimit { get; init; } = 1;

    /// <summary>The plan version each run uses; null: the latest version when the run starts.</summary>
    [Id(11)]
    public int? PlanVersion { get; init; }

    [Id(12)]
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    [Id(13)]
    public StatusHook? Hook { get; init; }

    [Id(14)]
    public HookFormat HookFormat { get; init; }

    /// <summary>A plan carried by the schedule itself instead of a stored one (the jobs API's built-in kinds).</summary>
    [Id(15)]
    public PlanDefinition? InlinePlan { get; init; }

    /// <summary>Copied onto every run (the jobs API keeps a periodic job's kind and name here).</summary>
    [Id(16)]
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

[GenerateSerializer]
public sealed record SaveSchedule(string RequestId, string PlanId, string Name, ScheduleSpec Spec, int? ExpectedRevision, string By, string? Namespace = null);

[GenerateSerializer]
public sealed record ScheduleCommand(string RequestId, string By);

[GenerateSerializer]
public sealed record SuspendSchedule(string RequestId, bool Suspend, string By);

[GenerateSerializer]
public sealed record RunScheduleNow(string RequestId, string InstanceId, string By);

[GenerateSerializer]
public sealed record ScheduledRunFinished(string InstanceId, ExecutionStatus Status, DateTimeOffset At);

[GenerateSerializer]
public sealed record ScheduledRunRejected(string InstanceId, string Error);

/// <summary>Why a due time did not start a run.</summary>
[GenerateSerializer]
public enum SkipReason
{
    /// <summary>An earlier run was still going (Forbid), or a later fire took its place in the buffer (BufferOne).</summary>
    Overlap,

    Suspended,

    /// <summary>It could not start within the starting deadline.</summary>
    DeadlinePassed,

    /// <summary>Missed while the cluster was down and the catch-up mode does not start it (None, or superseded under Latest).</summary>
    Missed,

    /// <summary>Missed while the cluster was down, older than the catch-up window (All).</summary>
    BeyondCatchUpWindow,

    /// <summary>The plan refused the run (plan or version gone, parameters no longer valid).</summary>
    Rejected,
}

/// <summary>How a run came about.</summary>
[GenerateSerializer]
public enum RunTrigger
{
    Schedule,
    CatchUp,
    Manual,
}

[GenerateSerializer]
public sealed record ScheduleView(
    string Key,
    string PlanId,
    string Name,
    ScheduleSpec Spec,
    int Revision,
    bool Deleted,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? NextDue,
    DateTimeOffset? LastDue,
    long FiredCount,
    long SkippedCount,
    IReadOnlyList<string> Active,
    DateTimeOffset? Buffered,
    IReadOnlyList<DateTimeOffset> Backlog,
    IReadOnlyList<ScheduledRun> Runs,
    IReadOnlyList<SkippedFire> Skipped)
{
    /// <summary>The namespace: its plan's.</summary>
    [Id(17)]
    public string Namespace { get; init; } = Plans.Model.Namespaces.Default;
}

/// <summary>A run the schedule started; Status is null while it is going.</summary>
[GenerateSerializer]
public sealed record ScheduledRun(string InstanceId, DateTimeOffset? DueTime, RunTrigger Trigger, DateTimeOffset StartedAt, ExecutionStatus? Status, DateTimeOffset? FinishedAt, bool Deleted);

[GenerateSerializer]
public sealed record SkippedFire(DateTimeOffset DueTime, SkipReason Reason, string Detail, DateTimeOffset At);

/// <summary>Index row data of a schedule (kind <see cref="IndexKinds.Schedule"/>); DayMatching is null in rows written before it existed.</summary>
[GenerateSerializer]
public sealed record ScheduleIndexData(string PlanId, string Name, string Cron, string TimeZone, bool Suspend, DateTimeOffset? NextDue, DateTimeOffset? LastDue, IReadOnlyDictionary<string, string> Labels,
    Runtime.Reminders.DayMatching? DayMatching = null);
