using System.Globalization;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Tests.Reminders;

/// <summary>
/// An independent reference for cron fire times: it expands each field itself, applies the day rule the way
/// robfig/cron's <c>dayMatches</c> does (a day field is starred when an element is <c>*</c> or <c>?</c> with no step
/// other than 1; with a star both fields must match, otherwise either), walks every wall-clock minute of a period and
/// maps each match to instants with the documented daylight-saving rules (a time in a gap fires at the transition; a
/// time in a fold fires in the first pass, and in the second too for interval expressions). It shares no code with
/// <see cref="CronSchedule"/>.
/// </summary>
internal sealed class CronOracle
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] Days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private static readonly Dictionary<string, string> Macros = new(StringComparer.Ordinal)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    private readonly Field _second;
    private readonly Field _minute;
    private readonly Field _hour;
    private readonly Field _dom;
    private readonly Field _month;
    private readonly Field _dow;
    private readonly DayMatching _rule;

    public CronOracle(string expression, DayMatching rule)
    {
        string[] f = Macros.GetValueOrDefault(expression, expression).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string[] six = f.Length == 6 ? f : ["0", .. f];
        _second = Field.Parse(six[0], 0, 59, null);
        _minute = Field.Parse(six[1], 0, 59, null);
        _hour = Field.Parse(six[2], 0, 23, null);
        _dom = Field.Parse(six[3], 1, 31, null);
        _month = Field.Parse(six[4], 1, 12, Months);
        _dow = Field.Parse(six[5], 0, 6, Days);
        _rule = rule;
        IsInterval = six.Take(3).Skip(f.Length == 6 ? 0 : 1).Any(x => x.IndexOfAny(['*', '?', '/', '-']) >= 0);
    }

    /// <summary>Fires in both passes of a fold (a '*', '?', step or range in a sub-day field).</summary>
    public bool IsInterval { get; }

    /// <summary>Whether the day (month, day-of-month, day-of-week) of <paramref name="local"/> matches.</summary>
    public bool DayMatches(DateTime local)
    {
        if (!_month.Has(local.Month))
        {
            return false;
        }

        bool dom = _dom.Has(local.Day);
        bool dow = _dow.Has((int)local.DayOfWeek);
        return _rule == DayMatching.Both || _dom.Star || _dow.Star ? dom && dow : dom || dow;
    }

    /// <summary>All fire instants whose wall-clock time lies in [<paramref name="fromLocal"/>, <paramref name="toLocal"/>).</summary>
    public SortedSet<DateTimeOffset> Fires(ZoneTable zone, DateTime fromLocal, DateTime toLocal)
    {
        var fires = new SortedSet<DateTimeOffset>();
        for (DateTime day = fromLocal.Date; day < toLocal; day = day.AddDays(1))
        {
            if (!DayMatches(day))
            {
                continue;
            }

            for (int h = 0; h < 24; h++)
            {
                for (int m = 0; m < 60; m++)
                {
                    if (!_hour.Has(h) || !_minute.Has(m))
                    {
                        continue;
                    }

                    DateTime minute = day.AddHours(h).AddMinutes(m);
                    if (minute < fromLocal || minute >= toLocal)
                    {
                        continue;
                    }

                    List<DateTimeOffset> instants = zone.InstantsOf(minute);
                    for (int s = 0; s < 60; s++)
                    {
                        if (!_second.Has(s))
                        {
                            continue;
                        }

                        if (instants.Count == 0)
                        {
                            fires.Add(zone.GapTransition(minute));
                            continue;
                        }

                        fires.Add(instants[0].AddSeconds(s));
                        if (IsInterval && instants.Count > 1)
                        {
                            fires.Add(instants[1].AddSeconds(s));
                        }
                    }
                }
            }
        }

        return fires;
    }

    private sealed record Field(bool[] Values, bool Star)
    {
        public bool Has(int value) => Values[value];

        public static Field Parse(string text, int min, int max, string[]? names)
        {
            var values = new bool[max + 1];
            bool star = false;
            foreach (string element in text.Split(','))
            {
                string[] rangeAndStep = element.Split('/');
                int step = rangeAndStep.Length == 2 ? int.Parse(rangeAndStep[1], CultureInfo.InvariantCulture) : 1;
                int from, to;
                if (rangeAndStep[0] is "*" or "?")
                {
                    (from, to) = (min, max);
                    star |= step == 1;
                }
                else
                {
                    string[] bounds = rangeAndStep[0].Split('-');
                    from = Value(bounds[0], names);
                    to = bounds.Length == 2 ? Value(bounds[1], names) : rangeAndStep.Length == 2 ? max : from;
                }

                for (int v = from; v <= to; v += step)
                {
                    values[v] = true;
                }
            }

            return new Field(values, star);
        }

        private static int Value(string text, string[]? names)
        {
            if (names is not null && Array.FindIndex(names, n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is var i and >= 0)
            {
                return names == Months ? i + 1 : i;
            }

            return int.Parse(text, CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>A zone's offsets and transitions over a period, found by probing every UTC minute.</summary>
internal sealed class ZoneTable
{
    private readonly TimeZoneInfo _zone;
    private readonly List<TimeSpan> _offsets = [];
    private readonly List<(DateTimeOffset At, TimeSpan Before, TimeSpan After)> _transitions = [];

    public ZoneTable(string timeZoneId, DateTimeOffset from, DateTimeOffset to)
    {
        _zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        TimeSpan previous = _zone.GetUtcOffset(from);
        _offsets.Add(previous);
        for (DateTimeOffset t = from; t < to; t = t.AddMinutes(1))
        {
            TimeSpan offset = _zone.GetUtcOffset(t);
            if (offset != previous)
            {
                _transitions.Add((t, previous, offset));
                if (!_offsets.Contains(offset))
                {
                    _offsets.Add(offset);
                }
            }

            previous = offset;
        }
    }

    public IReadOnlyList<(DateTimeOffset At, TimeSpan Before, TimeSpan After)> Transitions => _transitions;

    public TimeSpan OffsetAt(DateTimeOffset instant) => _zone.GetUtcOffset(instant);

    /// <summary>The instants (earliest first) at which the wall clock shows <paramref name="local"/>: none in a gap, two in a fold.</summary>
    public List<DateTimeOffset> InstantsOf(DateTime local) =>
        _offsets.Select(o => new DateTimeOffset(local - o, TimeSpan.Zero))
            .Where(t => t.UtcDateTime + _zone.GetUtcOffset(t) == local)
            .Distinct()
            .Order()
            .ToList();

    /// <summary>The transition whose gap contains the wall-clock time <paramref name="local"/>.</summary>
    public DateTimeOffset GapTransition(DateTime local) =>
        _transitions.Single(x => x.After > x.Before && x.At.UtcDateTime + x.Before <= local && local < x.At.UtcDateTime + x.After).At;
}
