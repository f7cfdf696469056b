using Orchestrator.Plans.Validation;

namespace Orchestrator.Grains.Common;

/// <summary>
/// Times computed from what a plan or a caller gave, kept representable. The plan format bounds every duration
/// (<see cref="PlanLimits"/>), but a plan stored before it did, or a caller of the grains that skips validation, must
/// not make a turn throw: an unrepresentable date fails the turn again on every retry and strands the run. A wait
/// longer than <see cref="PlanLimits.MaxDuration"/> is, for a run, the same as forever.
/// </summary>
internal static class SafeTime
{
    /// <summary>A wake-up's delay: between zero and <see cref="PlanLimits.MaxDuration"/>.</summary>
    public static TimeSpan Due(TimeSpan due) =>
        due < TimeSpan.Zero ? TimeSpan.Zero : due > PlanLimits.MaxDuration ? PlanLimits.MaxDuration : due;

    /// <summary>When a wake-up <paramref name="delay"/> from <paramref name="now"/> is due: the delay made safe (<see cref="Due"/>), then added.</summary>
    public static DateTimeOffset After(DateTimeOffset now, TimeSpan delay) => Add(now, Due(delay));

    /// <summary><paramref name="at"/> plus <paramref name="span"/>, or the last (first) representable instant past it.</summary>
    public static DateTimeOffset Add(DateTimeOffset at, TimeSpan span)
    {
        var ticks = (Int128)at.UtcTicks + span.Ticks;
        return ticks > DateTimeOffset.MaxValue.UtcTicks ? DateTimeOffset.MaxValue
            : ticks < DateTimeOffset.MinValue.UtcTicks ? DateTimeOffset.MinValue
            : new DateTimeOffset((long)ticks, TimeSpan.Zero);
    }

    /// <summary>A duration in whole milliseconds as a 32-bit number (the agent protocol's timeouts): at most about 24.8 days.</summary>
    public static int Milliseconds(TimeSpan value) =>
        (int)Math.Clamp(value.Ticks / TimeSpan.TicksPerMillisecond, 0, int.MaxValue);
}
