namespace Orchestrator.Runtime.Reminders;

/// <summary>
/// A schedule due at exactly <c>Anchor + k * Period</c> for every integer k (negative k included, so the anchor may
/// lie in the future or the past). <see cref="Period"/> must be positive; <see cref="Anchor"/> is kept as a UTC
/// instant (offset zero), which does not change equality since <see cref="DateTimeOffset"/> compares instants.
/// </summary>
/// <param name="Period">Time between consecutive due times; must be greater than zero.</param>
/// <param name="Anchor">One of the due times; all others are whole periods away from it.</param>
public sealed record IntervalSchedule(TimeSpan Period, DateTimeOffset Anchor) : ReminderSchedule
{
    private readonly TimeSpan _period = ValidatePeriod(Period);
    private readonly DateTimeOffset _anchor = Anchor.ToUniversalTime();

    /// <summary>Time between consecutive due times; always greater than zero.</summary>
    public TimeSpan Period
    {
        get => _period;
        init => _period = ValidatePeriod(value);
    }

    /// <summary>One of the due times, as a UTC instant.</summary>
    public DateTimeOffset Anchor
    {
        get => _anchor;
        init => _anchor = value.ToUniversalTime();
    }

    /// <inheritdoc />
    public override DateTimeOffset NextAfter(DateTimeOffset after)
    {
        long period = _period.Ticks;
        long sinceAnchor = after.UtcTicks - _anchor.UtcTicks;
        // Floor division, so that an `after` before the anchor still lands on the anchor's grid.
        long k = sinceAnchor / period;
        if (sinceAnchor % period < 0)
        {
            k--;
        }

        long next = checked(_anchor.UtcTicks + ((k + 1) * period));
        return new DateTimeOffset(next, TimeSpan.Zero);
    }

    private static TimeSpan ValidatePeriod(TimeSpan period) =>
        period > TimeSpan.Zero
            ? period
            : throw new ScheduleFormatException(
                $"interval period '{period}': the period must be greater than zero", "period");
}
