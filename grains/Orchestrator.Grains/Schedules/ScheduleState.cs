using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Schedules;

/// <summary>State of a schedule: its spec, where firing stands, the runs it keeps and the fires it skipped.</summary>
public sealed class ScheduleState : Requests.IRequestState
{
    public string PlanId { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>The namespace: its plan's; null in schedules of before namespaces (<c>default</c>).</summary>
    public string? Namespace { get; set; }

    /// <summary>The partition of the schedule's index row as last written; null: "" (rows of before namespaces) or none.</summary>
    public string? IndexPartition { get; set; }

    public ScheduleSpec? Spec { get; set; }

    /// <summary>
    /// Whether <see cref="Spec"/> carries the day matching it was saved with. False for schedules saved before
    /// <see cref="ScheduleSpec.DayMatching"/> existed: they were saved (and previewed) under both-must-match, the only
    /// rule then, and keep it until saved again (<see cref="EffectiveSpec"/>) — except a Harbor periodic job's
    /// (<see cref="AdoptsStandardDayRule"/>).
    /// </summary>
    public bool DayMatchingSaved { get; set; }

    /// <summary>
    /// A schedule saved before day matching existed by the jobs API for a Harbor periodic job (labelled
    /// <c>job.kind=Periodic</c>): its <c>cron_spec</c> was written for Harbor, where either day field matching fires
    /// (robfig/cron), so the standard rule is the one it was created with. It follows that rule, and its grain moves
    /// it there for good (reminder included) at its next turn or when the API starts (<c>IScheduleGrain.UpgradeDayRule</c>).
    /// </summary>
    public bool AdoptsStandardDayRule =>
        Spec is { } spec && !DayMatchingSaved && spec.Labels.TryGetValue(JobLabels.Kind, out var kind) && kind == JobLabels.Periodic;

    /// <summary>
    /// The spec as it applies: one saved before day matching existed keeps both-must-match, the rule it was saved
    /// under, unless it is a Harbor periodic job's (<see cref="AdoptsStandardDayRule"/>): that one has the standard rule.
    /// </summary>
    public ScheduleSpec? EffectiveSpec() => Spec switch
    {
        null => null,
        _ when DayMatchingSaved => Spec,
        _ when AdoptsStandardDayRule => Spec with { DayMatching = Runtime.Reminders.DayMatching.Either },
        _ => Spec with { DayMatching = Runtime.Reminders.DayMatching.Both },
    };

    public int Revision { get; set; }

    public bool Deleted { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The last due time handled (started, queued or skipped); due times up to it are never looked at again.</summary>
    public DateTimeOffset? LastDue { get; set; }

    public long Fired { get; set; }

    public long SkippedCount { get; set; }

    /// <summary>Instances started and not yet reported finished.</summary>
    public List<string> Active { get; set; } = [];

    /// <summary>BufferOne: the fire waiting for the running one to end.</summary>
    public DateTimeOffset? Buffered { get; set; }

    /// <summary>Catch-up fires waiting their turn, oldest first (they run one after another unless overlap is Allow).</summary>
    public List<DateTimeOffset> Backlog { get; set; } = [];

    /// <summary>Runs started, oldest first; finished ones beyond the history limits are deleted and dropped from here.</summary>
    public List<ScheduledRun> Runs { get; set; } = [];

    /// <summary>The latest skipped fires, oldest first (bounded; <see cref="SkippedCount"/> counts all).</summary>
    public List<SkippedFire> Skipped { get; set; } = [];

    /// <summary>Whether the keep-alive reminder is registered (the schedule is enabled).</summary>
    public bool KeepAlive { get; set; }

    public RequestLog Requests { get; set; } = new();
}
