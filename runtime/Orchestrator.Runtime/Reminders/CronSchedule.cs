using NCrontab;

namespace Orchestrator.Runtime.Reminders;

/// <summary>
/// A schedule given by a cron expression, evaluated in the wall-clock time of an IANA time zone and returned as UTC
/// instants.
/// </summary>
/// <remarks>
/// <para>
/// Syntax: 5 fields (<c>minute hour day-of-month month day-of-week</c>) or 6 fields (<c>second</c> first). Each
/// field is <c>*</c> (or <c>?</c>, the same), a value, a range <c>a-b</c>, a step <c>*/n</c>, <c>a/n</c> (a to the
/// field's maximum) or <c>a-b/n</c>, or a comma-separated list of those. Months and days of week also accept names
/// of at least three letters (<c>JAN</c>, <c>mon</c>); day-of-week is 0-6 with Sunday = 0. At most
/// <see cref="CronExpressionParser.MaxExpressionLength"/> characters. Macros: <c>@yearly</c>/<c>@annually</c> =
/// <c>0 0 1 1 *</c>, <c>@monthly</c> = <c>0 0 1 * *</c>, <c>@weekly</c> = <c>0 0 * * 0</c>,
/// <c>@daily</c>/<c>@midnight</c> = <c>0 0 * * *</c>, <c>@hourly</c> = <c>0 * * * *</c>.
/// </para>
/// <para>
/// Days: when both day-of-month and day-of-week are restricted, <see cref="DayMatching"/> decides: by default
/// (<see cref="Reminders.DayMatching.Either"/>, the standard cron rule) a day matches if either field matches, so
/// <c>0 9 13 * 5</c> is every Friday and every 13th; <see cref="Reminders.DayMatching.Both"/> requires both (Friday
/// the 13th). A field counts as unrestricted when one of its elements is <c>*</c> or <c>?</c> without a step other
/// than 1 (see <see cref="Reminders.DayMatching"/>). An expression that can never match (e.g. <c>0 0 30 2 *</c>, or
/// <c>0 0 30 2 MON</c> under Both) is rejected.
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
/// Equality is by <see cref="Expression"/>, <see cref="TimeZoneId"/> (ordinal, exactly as given) and
/// <see cref="DayMatching"/>, so <c>@daily</c> and <c>0 0 * * *</c> are different (though equivalent) schedules.
/// </para>
/// <para>
/// The calendar runs from 0001-01-04 to 9999-12-29 (clear of <see cref="DateTime"/>'s bounds in any zone): due
/// times are searched from its start at the earliest, and past its end <see cref="TryNextAfter"/> answers false and
/// <see cref="NextAfter"/> throws.
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

    // The first instant searched from: a day after MinLocal, so that its wall-clock time is past MinLocal in any zone.
    private static readonly DateTime MinUtc = MinLocal.AddDays(1);

    private readonly CrontabSchedule[] _crontabs;
    private readonly TimeZoneInfo _zone;
    private readonly bool _fixedOffset;

    private CronSchedule(string timeZoneId, DayMatching dayMatching, CronExpressionParser.ParsedCron parsed, TimeZoneInfo zone)
    {
        Expression = parsed.Expression;
        TimeZoneId = timeZoneId;
        DayMatching = dayMatching;
        IsInterval = parsed.IsInterval;
        _crontabs = parsed.Schedules;
        _zone = zone;
        _fixedOffset = !zone.SupportsDaylightSavingTime && zone.GetAdjustmentRules().Length == 0;
    }

    /// <summary>The cron expression as given by the user (trimmed).</summary>
    public string Expression { get; }

    /// <summary>The time zone id as given, e.g. <c>Europe/London</c> or <c>UTC</c>.</summary>
    public string TimeZoneId { get; }

    /// <summary>The zone <see cref="TimeZoneId"/> names.</summary>
    public TimeZoneInfo TimeZone => _zone;

    /// <summary>How day-of-month and day-of-week combine when both are restricted.</summary>
    public DayMatching DayMatching { get; }

    /// <summary>
    /// Whether the expression is an "every N" expression in a sub-day field: its seconds (6-field form), minute or
    /// hour field contains <c>*</c>, a <c>/</c> step or a <c>-</c> range. Interval expressions fire in both offsets
    /// of a fall-back fold (e.g. <c>*/30 * * * *</c> and <c>0 * * * *</c>); all others fire once, in the first
    /// offset (e.g. <c>30 1 * * *</c>, <c>0,30 1 * * *</c>, <c>@daily</c>).
    /// </summary>
    public bool IsInterval { get; }

    /// <summary>
    /// Parses <paramref name="expression"/> to be evaluated in the zone <paramref name="timeZoneId"/> (see
    /// <see cref="TimeZoneIds"/> for the ids accepted), days combined by <paramref name="dayMatching"/>.
    /// </summary>
    /// <exception cref="ScheduleFormatException">The expression, the time zone id or the day matching is not valid.</exception>
    public static CronSchedule Parse(string expression, string timeZoneId = "UTC", DayMatching dayMatching = DayMatching.Either)
    {
        CronExpressionParser.CheckLength(expression);
        CronExpressionParser.ParsedCron parsed = CronExpressionParser.Parse(expression, dayMatching);
        TimeZoneInfo zone = TimeZoneIds.Resolve(timeZoneId);
        return new CronSchedule(timeZoneId, dayMatching, parsed, zone);
    }

    /// <summary>
    /// Rebuilds a schedule saved earlier (validated by <see cref="Parse"/> when it was saved). The same as
    /// <see cref="Parse"/>, except that what an earlier version accepted and <see cref="Parse"/> now refuses still
    /// loads, so that nothing saved stops working: a time zone id .NET can load (a case variant such as <c>utc</c>, a
    /// Windows name), an expression of any length. Never for new input.
    /// </summary>
    /// <exception cref="ScheduleFormatException">The expression or the zone cannot be used at all.</exception>
    public static CronSchedule ParseSaved(string expression, string timeZoneId, DayMatching dayMatching)
    {
        CronExpressionParser.ParsedCron parsed = CronExpressionParser.Parse(expression, dayMatching);
        TimeZoneInfo zone = TimeZoneIds.ResolveSaved(timeZoneId);
        return new CronSchedule(timeZoneId, dayMatching, parsed, zone);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">No occurrence exists before the end of the calendar.</exception>
    public override DateTimeOffset NextAfter(DateTimeOffset after) =>
        TryNextAfter(after, out DateTimeOffset next)
            ? next
            : throw new InvalidOperationException(
                $"cron expression '{Expression}' in '{TimeZoneId}': no occurrence after {after:O} before the end of the supported calendar range");

    /// <summary>
    /// The first due time strictly after <paramref name="after"/>, as <see cref="NextAfter"/>, or false when there is
    /// none before the end of the calendar (two days before <see cref="DateTime.MaxValue"/>). Never throws.
    /// </summary>
    public bool TryNextAfter(DateTimeOffset after, out DateTimeOffset next)
    {
        // The search walks a UTC cursor forward. Between zone transitions the wall clock is the cursor plus a
        // constant offset, so NCrontab's next wall-clock occurrence maps back to UTC directly; when a transition lies
        // between the cursor and that candidate, the gap or fold is resolved and the walk resumes at the transition.
        next = default;
        long cursor = after.UtcTicks;
        bool inclusive = false;
        if (cursor < MinUtc.Ticks)
        {
            // Nothing is due before the calendar starts: search from its start, which may itself be due.
            cursor = MinUtc.Ticks;
            inclusive = true;
        }

        for (int step = 0; step < MaxSteps; step++)
        {
            TimeSpan offset = OffsetAt(cursor);
            if (NextLocal(cursor + offset.Ticks, inclusive) is not { } local)
            {
                return false;
            }

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

                next = new DateTimeOffset(candidate, TimeSpan.Zero);
                return true;
            }

            TimeSpan newOffset = OffsetAt(at);
            if (newOffset > offset)
            {
                // Gap: wall-clock times [at + offset, at + newOffset) do not exist. An occurrence inside it fires at
                // the transition instant; otherwise resume at the transition, which may itself be an occurrence.
                if (local.Ticks < at + newOffset.Ticks)
                {
                    next = new DateTimeOffset(at, TimeSpan.Zero);
                    return true;
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

        // Each step passes a zone transition or a fold's repeat, so this takes decades of transitions; a schedule
        // that gets here finds no due time in any reasonable range.
        return false;
    }

    /// <summary>Equal when <see cref="Expression"/> and <see cref="TimeZoneId"/> (ordinal) and <see cref="DayMatching"/> are equal.</summary>
    public bool Equals(CronSchedule? other) =>
        other is not null &&
        string.Equals(Expression, other.Expression, StringComparison.Ordinal) &&
        string.Equals(TimeZoneId, other.TimeZoneId, StringComparison.Ordinal) &&
        DayMatching == other.DayMatching;

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(StringComparer.Ordinal.GetHashCode(Expression), StringComparer.Ordinal.GetHashCode(TimeZoneId), DayMatching);

    private TimeSpan OffsetAt(long utcTicks) =>
        _fixedOffset ? _zone.BaseUtcOffset : _zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc));

    /// <summary>
    /// The next wall-clock occurrence after (or, if inclusive, at or after) the given wall-clock time, or null when
    /// there is none before the end of the calendar.
    /// </summary>
    private DateTime? NextLocal(long localTicks, bool inclusive)
    {
        if (localTicks < MinLocal.Ticks || localTicks >= MaxLocal.Ticks)
        {
            return null;
        }

        // NCrontab returns the first occurrence strictly after its base time, at whole-second resolution; one tick
        // earlier makes a whole-second base time itself eligible. Several schedules: the union of their occurrences.
        var baseTime = new DateTime(inclusive ? localTicks - 1 : localTicks, DateTimeKind.Unspecified);
        DateTime next = MaxLocal;
        foreach (CrontabSchedule crontab in _crontabs)
        {
            DateTime candidate = crontab.GetNextOccurrence(baseTime, next);
            if (candidate < next)
            {
                next = candidate;
            }
        }

        return next < MaxLocal ? next : null;
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

        if (instant - FoldLookBackTicks < 0)
        {
            return false;
        }

        TimeSpan earlierOffset = OffsetAt(instant - FoldLookBackTicks);
        return earlierOffset > offset && OffsetAt(localTicks - earlierOffset.Ticks) == earlierOffset;
    }
}
