using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Grains.Schedules;

/// <summary>What to do with one due time: start it (on time or as catch-up) or skip it with a reason.</summary>
public sealed record FireDecision(DateTimeOffset Due, RunTrigger? Start, SkipReason? Skip, string Detail);

/// <summary>
/// Decides what each due time between the last one handled and a reminder tick becomes. Pure: the schedule grain
/// applies the overlap policy to the starts afterwards.
/// </summary>
/// <remarks>
/// A due time is on time when handled within <see cref="MisfireGrace"/> of it (and within the starting deadline).
/// One handled later than its starting deadline is skipped (deadlinePassed). Any other late one was missed (the
/// cluster was down or the schedule's silo was failing over): catch-up None skips it (missed), Latest starts only the
/// newest of them (the rest are missed, superseded), All starts those within the catch-up window in order and skips
/// older ones (beyondCatchUpWindow).
/// </remarks>
public static class FirePlanner
{
    /// <summary>How late a fire may come and still count as on time.</summary>
    public static readonly TimeSpan MisfireGrace = TimeSpan.FromMinutes(1);

    /// <summary>Catch-up runs one tick starts at most (catch-up all); older missed due times are skipped.</summary>
    public const int MaxCatchUpRuns = 100;

    /// <summary>Due times looked at per tick at most; older ones are summed up in one skip record.</summary>
    public const int MaxDueTimes = 10_000;

    /// <summary>The due times after <paramref name="after"/> up to and including <paramref name="upTo"/>, at most <see cref="MaxDueTimes"/> (the newest), and how many older ones were left out.</summary>
    public static (List<DateTimeOffset> Dues, long Dropped) DueTimes(ReminderSchedule schedule, DateTimeOffset after, DateTimeOffset upTo)
    {
        var dues = new List<DateTimeOffset>();
        long dropped = 0;
        for (var d = schedule.NextAfter(after); d <= upTo; d = schedule.NextAfter(d))
        {
            if (dues.Count == MaxDueTimes)
            {
                dues.RemoveAt(0);
                dropped++;
            }
            dues.Add(d);
            if (dropped > 10_000_000)
            {
                break; // a seconds schedule missed for months: stop counting
            }
        }
        return (dues, dropped);
    }

    public static List<FireDecision> Decide(ScheduleSpec spec, IReadOnlyList<DateTimeOffset> dues, DateTimeOffset now)
    {
        var decisions = new List<FireDecision>(dues.Count);
        var latestMissed = -1;
        for (var i = 0; i < dues.Count; i++)
        {
            var due = dues[i];
            var late = now - due;
            if (spec.StartingDeadline is { } deadline && late > deadline)
            {
                decisions.Add(new FireDecision(due, null, SkipReason.DeadlinePassed, $"handled {Late(late)} after its due time; the starting deadline is {Late(deadline)}"));
            }
            else if (late <= MisfireGrace)
            {
                decisions.Add(new FireDecision(due, RunTrigger.Schedule, null, ""));
            }
            else
            {
                switch (spec.CatchUp)
                {
                    case CatchUpMode.None:
                        decisions.Add(new FireDecision(due, null, SkipReason.Missed, $"missed by {Late(late)} while the schedule could not fire; catch-up is none"));
                        break;
                    case CatchUpMode.All when late > spec.CatchUpWindow:
                        decisions.Add(new FireDecision(due, null, SkipReason.BeyondCatchUpWindow, $"missed by {Late(late)}, beyond the catch-up window of {Late(spec.CatchUpWindow)}"));
                        break;
                    case CatchUpMode.All:
                        decisions.Add(new FireDecision(due, RunTrigger.CatchUp, null, $"caught up {Late(late)} late"));
                        break;
                    default:
                        latestMissed = decisions.Count;
                        decisions.Add(new FireDecision(due, RunTrigger.CatchUp, null, $"caught up {Late(late)} late"));
                        break;
                }
            }
        }
        if (spec.CatchUp == CatchUpMode.All)
        {
            // A fine schedule after a long outage could start thousands at once: only the newest MaxCatchUpRuns do.
            var caughtUp = decisions.Where(d => d.Start == RunTrigger.CatchUp).ToList();
            for (var i = 0; i < caughtUp.Count - MaxCatchUpRuns; i++)
            {
                var index = decisions.IndexOf(caughtUp[i]);
                decisions[index] = caughtUp[i] with
                {
                    Start = null,
                    Skip = SkipReason.BeyondCatchUpWindow,
                    Detail = $"{caughtUp.Count} missed due times to catch up; only the newest {MaxCatchUpRuns} start",
                };
            }
        }
        if (spec.CatchUp == CatchUpMode.Latest)
        {
            // Only the newest missed due time starts, and only if no on-time one follows it.
            var onTimeAfter = latestMissed >= 0 && decisions.Skip(latestMissed + 1).Any(d => d.Start == RunTrigger.Schedule);
            for (var i = 0; i <= latestMissed; i++)
            {
                if (decisions[i].Start == RunTrigger.CatchUp && (i < latestMissed || onTimeAfter))
                {
                    decisions[i] = decisions[i] with { Start = null, Skip = SkipReason.Missed, Detail = $"missed by {Late(now - decisions[i].Due)}; catch-up latest starts only the newest missed due time" };
                }
            }
        }
        return decisions;
    }

    private static string Late(TimeSpan t) => Orchestrator.Plans.Parsing.DurationFormat.Format(t < TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Round(t.TotalSeconds)));
}
