using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Schedules;

/// <summary>State of a schedule: its spec, where firing stands, the runs it keeps and the fires it skipped.</summary>
public sealed class ScheduleState
{
    public string PlanId { get; set; } = "";

    public string Name { get; set; } = "";

    public ScheduleSpec? Spec { get; set; }

    /// <summary>
    /// Whether <see cref="Spec"/> carries the day matching it was saved with. False for schedules saved before
    /// <see cref="ScheduleSpec.DayMatching"/> existed: they were saved (and previewed) under both-must-match, the only
    /// rule then, and keep it until saved again (<see cref="EffectiveSpec"/>).
    /// </summary>
    public bool DayMatchingSaved { get; set; }

    /// <summary>The spec as it applies: one saved before day matching existed keeps both-must-match, the rule it was saved under.</summary>
    public ScheduleSpec? EffectiveSpec() =>
        Spec is { } spec && !DayMatchingSaved ? spec with { DayMatching = Runtime.Reminders.DayMatching.Both } : Spec;

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

    public RequestLog Requests { get; set; } = new();
}
