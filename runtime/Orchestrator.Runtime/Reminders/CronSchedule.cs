using NCrontab;

namespace Orchestrator.Runtime.Reminders;

/// <summary>
/// A schedule given by a cron expression, evaluated in the wall-clock time of an IANA time zone and returned as UTC
/// instants.
/// </summary>
/// <remarks>
/// <para>
/// Syntax: 5 fields (<c>minute hour day-of-month month day-of-week</c>) or 6 fields (<c>second</c> first). Each
/// field is <c>*</c>, a value, a range <c>a-b</c>, a step <c>*/n</c>, <c>a/n</c> (a to the field's maximum) or
/// <c>a-b/n</c>, or a comma-separated list of those. Months and days of week also accept names of at least three
/// letters (<c>JAN</c>, <c>mon</c>); day-of-week is 0-6 with Sunday = 0. Day-of-month and day-of-week must
/// <em>both</em> match (NCrontab semantics, unlike Vixie cron's "either"); an expression that can never match
/// (e.g. <c>0 0 30 2 *</c>) is rejected. Macros: <c>@yearly</c>/<c>@annually</c> = <c>0 0 1 1 *</c>,
/// <c>@monthly</c> = <c>0 0 1 * *</c>, <c>@weekly</c> = <c>0 0 * * 0</c>, <c>@daily</c>/<c>@midnight</c> =
/// <c>0 0 * * *</c>, <c>@hourly</c> = <c>0 * * * *</c>.
/// </para>
/// <para>
/// Daylight saving (the rules documented by Cronos):
/// <list type="bullet">
/// <item><description>Spring forward: a wall-clock occurrence that does not exist (it falls in the gap) fires once,
/// at the transition instant (the first valid instant after the gap). All occurrences inside one gap, and an
/// occurrence at the first valid wall-clock time after the gap, collapse into that single fire.</description></item>
/// <item><description>Fall back: an ambiguous wall-clock time fires once, in the first (pre-transition, usually
/// daylight) offset, unless the expression <see cref="IsInterval"/>, in which case it fires in both
/// offsets.</description></item>
/// </list>
/// </para>
/// <para>
/// Equality is by <see cref="Expression"/> and <see cref="TimeZoneId"/> (ordinal), exactly as given, so
/// <c>@daily</c> and <c>0 0 * * *</c> are different (though equivalent) schedules.
/// </para>
/// </remarks>
public sealed record CronSchedule : ReminderSchedule
{
    private const int MaxSteps = 10_000;

    // Offsets are probed at this spacing to find a transition between two instants; the zone is assumed not to
    // change offset twice within one probe interval (true of every zone in tzdata for recent decades).
    private static readonly long ProbeTicks = TimeSpan.FromHours(6).Ticks;

    // How far back to look for the pre-transition offset when deciding whether an instant is in a fold's second pass.
    private static readonly long FoldLookBackTicks = TimeSpan.FromDays(1).Ticks;

    // Local wall-clock times are kept clear of DateTime's bounds so that adding or removing an offset cannot overflow.
    private static readonly DateTime MinLocal = DateTime.MinValue.AddDays(2);
    private static readonly DateTime MaxLocal = DateTime.MaxValue.AddDays(-2);

    private readonly CrontabSchedule _crontab;
    private readonly TimeZoneInfo _zone;
    private readonly bool _fixedOffset;

    private CronSchedule(string expression, string timeZoneId, bool isInterval, CrontabSchedule crontab, TimeZoneInfo zone)
    {
        Expression = expression;
        TimeZoneId = timeZoneId;
        IsInterval = isInterval;
        _crontab = crontab;
        _zone = zone;
        _fixedOffset = !zone.SupportsDaylightSavingTime && zone.GetAdjustmentRules().Length == 0;
    }

    /// <summary>The cron expression as given by the user (trimmed).</summary>
    public string Expression { get; }

    /// <summary>The time zone id as given, e.g. <c>Europe/London</c> or <c>UTC</c>.</summary>
    public string TimeZoneId { get; }

    /// <summary>
    /// Whether the expression is an "every N" expression in a sub-day field: its seconds (6-field form), minute or
    /// hour field contains <c>*</c>, a <c>/</c> step or a <c>-</c> range. Interval expressions fire in both offsets
    /// of a fall-back fold (e.g. <c>*/30 * * * *</c> and <c>0 * * * *</c>); all others fire once, in the first
    /// offset (e.g. <c>30 1 * * *</c>, <c>0,30 1 * * *</c>, <c>@daily</c>).
    /// </summary>
    public bool IsInterval { get; }

    /// <summary>Parses <paramref name="expression"/> to be evaluated in the zone <paramref name="timeZoneId"/>.</summary>
    /// <exception cref="ScheduleFormatException">The expression or the time zone id is not valid.</exception>
    public static CronSchedule Parse(string expression, string timeZoneId = "UTC")
    {
        CronExpressionParser.ParsedCron parsed = CronExpressionParser.Parse(expression);
        TimeZoneInfo zone = CronExpressionParser.ResolveTimeZone(timeZoneId);
        return new CronSchedule(parsed.Expression, timeZoneId, parsed.IsInterval, parsed.Schedule, zone);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">No occurrence exists before the end of the calendar.</exception>
    public override DateTimeOffset NextAfter(DateTimeOffset after)
    {
        // The search walks a UTC cursor forward. Between zone transitions the wall clock is the cursor plus a
        // constant offset, so NCrontab's next wall-clock occurrence maps back to UTC directly; when a transition lies
        // between the cursor and that candidate, the gap or fold is resolved and the walk resumes at the transition.
        long cursor = after.UtcTicks;
        bool inclusive = false;
        for (int step = 0; step < MaxSteps; step++)
        {
            TimeSpan offset = OffsetAt(cursor);
            DateTime local = NextLocal(cursor + offset.Ticks, inclusive);
            long candidate = local.Ticks - offset.Ticks;

            long? transition = FindTransition(cursor, candidate, offset);
            if (transition is not { } at)
            {
                if (!IsInterval && IsRepeatOfEarlierPass(local.Ticks, candidate, offset))
                {
                    // The wall-clock time already occurred in the first pass of a fold: fire only there.
                    cursor = candidate;
                    inclusive = false;
                    continue;
                }

                return new DateTimeOffset(candidate, TimeSpan.Zero);
            }

            TimeSpan newOffset = OffsetAt(at);
            if (newOffset > offset)
            {
                // Gap: wall-clock times [at + offset, at + newOffset) do not exist. An occurrence inside it fires at
                // the transition instant; otherwise resume at the transition, which may itself be an occurrence.
                if (local.Ticks < at + newOffset.Ticks)
                {
                    return new DateTimeOffset(at, TimeSpan.Zero);
                }

                cursor = at;
            }
            else
            {
                // Fold: wall-clock times [at + newOffset, at + offset) repeat after the transition. Interval
                // expressions run through them again; others resume at the first wall-clock time after the fold.
                cursor = IsInterval ? at : at + (offset - newOffset).Ticks;
            }

            inclusive = true;
        }

        throw new InvalidOperationException(
            $"cron expression '{Expression}' in '{TimeZoneId}': no due time found after {after:O} within {MaxSteps} steps");
    }

    /// <summary>Equal when <see cref="Expression"/> and <see cref="TimeZoneId"/> are equal (ordinal).</summary>
    public bool Equals(CronSchedule? other) =>
        other is not null &&
        string.Equals(Expression, other.Expression, StringComparison.Ordinal) &&
        string.Equals(TimeZoneId, other.TimeZoneId, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(StringComparer.Ordinal.GetHashCode(Expression), StringComparer.Ordinal.GetHashCode(TimeZoneId));

    private TimeSpan OffsetAt(long utcTicks) =>
        _fixedOffset ? _zone.BaseUtcOffset : _zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc));

    /// <summary>The next wall-clock occurrence after (or, if inclusive, at or after) the given wall-clock time.</summary>
    private DateTime NextLocal(long localTicks, bool inclusive)
    {
        if (localTicks < MinLocal.Ticks || localTicks >= MaxLocal.Ticks)
        {
            throw new InvalidOperationException(
                $"cron expression '{Expression}': the search time is outside the supported calendar range");
        }

        // NCrontab returns the first occurrence strictly after its base time, at whole-second resolution; one tick
        // earlier makes a whole-second base time itself eligible.
        var baseTime = new DateTime(inclusive ? localTicks - 1 : localTicks, DateTimeKind.Unspecified);
        DateTime next = _crontab.GetNextOccurrence(baseTime, MaxLocal);
        if (next >= MaxLocal)
        {
            throw new InvalidOperationException(
                $"cron expression '{Expression}': no occurrence before the end of the supported calendar range");
        }

        return next;
    }

    /// <summary>
    /// The first instant in (<paramref name="from"/>, <paramref name="to"/>] whose offset differs from
    /// <paramref name="offset"/> (the offset at <paramref name="from"/>), or null if there is none.
    /// </summary>
    private long? FindTransition(long from, long to, TimeSpan offset)
    {
        if (_fixedOffset)
        {
            return null;
        }

        long low = from;
        while (low < to)
        {
            long high = to - low > ProbeTicks ? low + ProbeTicks : to;
            if (OffsetAt(high) != offset)
            {
                // Invariant: OffsetAt(low) == offset, OffsetAt(high) != offset.
                while (high - low > 1)
                {
                    long mid = low + ((high - low) / 2);
                    if (OffsetAt(mid) == offset)
                    {
                        low = mid;
                    }
                    else
                    {
                        high = mid;
                    }
                }

                return high;
            }

            low = high;
        }

        return null;
    }

    /// <summary>
    /// Whether the wall-clock time <paramref name="localTicks"/>, reached at <paramref name="instant"/> with
    /// <paramref name="offset"/>, already occurred at an earlier instant with a larger offset (i.e. the instant is in
    /// the second pass of a fold).
    /// </summary>
    private bool IsRepeatOfEarlierPass(long localTicks, long instant, TimeSpan offset)
    {
        if (_fixedOffset)
        {
            return false;
        }

        TimeSpan earlierOffset = OffsetAt(instant - FoldLookBackTicks);
        return earlierOffset > offset && OffsetAt(localTicks - earlierOffset.Ticks) == earlierOffset;
    }
}
