namespace Orchestrator.Runtime.Reminders;

/// <summary>
/// When a reminder is due. A schedule is a pure function of time: it never reads a clock, and every due time it
/// returns is an instant in UTC (offset zero). Two kinds exist: <see cref="IntervalSchedule"/> (a fixed period from an
/// anchor instant) and <see cref="CronSchedule"/> (a cron expression evaluated in the wall-clock time of an IANA time
/// zone, with defined daylight-saving rules).
/// </summary>
public abstract record ReminderSchedule
{
    /// <summary>
    /// The first due time strictly after <paramref name="after"/>, as a UTC instant (offset zero). Always greater than
    /// <paramref name="after"/>, so iterating <c>t = NextAfter(t)</c> is strictly increasing.
    /// </summary>
    public abstract DateTimeOffset NextAfter(DateTimeOffset after);

    /// <summary>
    /// The first due time at or after <paramref name="from"/> (used for the very first due time of a new reminder).
    /// </summary>
    public DateTimeOffset FirstAtOrAfter(DateTimeOffset from) => NextAfter(from.AddTicks(-1));

    /// <summary>A schedule due at exactly <c>anchor + k * period</c> for every integer k.</summary>
    /// <exception cref="ScheduleFormatException"><paramref name="period"/> is not positive.</exception>
    public static IntervalSchedule Every(TimeSpan period, DateTimeOffset anchor) => new(period, anchor);

    /// <summary>
    /// A schedule given by a cron expression evaluated in the wall-clock time of <paramref name="timeZoneId"/>; see
    /// <see cref="CronSchedule"/> for the accepted syntax, the day rule (<paramref name="dayMatching"/>, by default the
    /// standard one) and the daylight-saving rules.
    /// </summary>
    /// <exception cref="ScheduleFormatException">The expression, the time zone id or the day matching is not valid.</exception>
    public static CronSchedule Cron(string expression, string timeZoneId = "UTC", DayMatching dayMatching = DayMatching.Either) =>
        CronSchedule.Parse(expression, timeZoneId, dayMatching);
}
