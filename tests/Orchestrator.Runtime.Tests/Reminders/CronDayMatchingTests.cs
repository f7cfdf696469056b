using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Tests.Reminders;

/// <summary>
/// Day-of-month / day-of-week combinations against <see cref="CronOracle"/>, a brute-force walk over a year that applies
/// the standard (robfig/cron, Vixie) rule independently: both fields restricted, one starred, steps from '*', ranges,
/// lists, names, '?', month restrictions, the 6-field form, and zones with daylight saving (New York, London, Lord
/// Howe's 30-minute shift, Santiago's and Cairo's midnight transitions). Every fire of the year is compared, and the
/// next fire after instants between fires.
/// </summary>
public sealed class CronDayMatchingTests
{
    private static readonly DateTimeOffset YearStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset YearEnd = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Expressions =
    [
        "0 9 13 * 5",           // both restricted: every Friday and every 13th
        "30 8 1,15 * MON",      // list and a name
        "0 0 */2 * 5",          // a step from '*' restricts (robfig/cron): odd days and Fridays
        "0 0 * * */2",          // day-of-month starred: the even weekdays
        "0 0 5 * */2",          // a step from '*' in day-of-week restricts: the 5th and Sun, Tue, Thu, Sat
        "0 0 */1 * 5",          // step 1 from '*' is still a star: every Friday
        "0 0 *,15 * 5",         // a list holding '*' is a star: every Friday
        "0 0 1-31/2 * 6",       // a range with a step restricts
        "0 12 * * 1-5",         // day-of-month starred
        "0 12 1-7 * *",         // day-of-week starred
        "0 12 1-7 * 1",         // days 1-7 and Mondays
        "0 0 ? * FRI",          // '?' is '*'
        "0 0 13 * ?",
        "0 0 29 2 1",           // 29 February and the Mondays of February
        "0 0 30 2 MON",         // no 30 February: the Mondays of February
        "0 0 31 4,6 SUN",       // no 31 April/June: the Sundays of April and June
        "45 23 10-20/5 * SAT,SUN",
        "0 18 1,15 JAN-MAR 1-5",
        "*/30 9-10 13 * 5",     // interval times on the matching days
        "0 2 8-14 * 0",         // 02:00 on days 8-14 and Sundays (New York springs forward on such a Sunday)
        "30 1 1-7 11 0",        // 01:30 on 1-7 November and November's Sundays (a fold in New York)
        "0 0 24-30 4 5",        // midnight, 24-30 April and April's Fridays (Cairo springs forward at midnight)
        "@weekly",
        "@monthly",
        "30 0 9 13 * 5",        // 6 fields: seconds first
        "0 */20 1 1,15 * 0",    // 6 fields, a minute step
    ];

    private static readonly string[] Zones = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "Africa/Cairo"];

    private static readonly Dictionary<string, ZoneTable> Tables = new(StringComparer.Ordinal);

    public static TheoryData<string, string, DayMatching> Cases()
    {
        var data = new TheoryData<string, string, DayMatching>();
        foreach (string expression in Expressions)
        {
            foreach (string zone in Zones)
            {
                data.Add(expression, zone, DayMatching.Either);
            }

            data.Add(expression, "America/New_York", DayMatching.Both);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void NextAfter_OverAYear_MatchesTheOracle(string expression, string timeZoneId, DayMatching rule)
    {
        var oracle = new CronOracle(expression, rule);
        if (rule == DayMatching.Both && expression is "0 0 30 2 MON" or "0 0 31 4,6 SUN")
        {
            // Both-must-match: there is no 30 February on a Monday, no 31 April on a Sunday; refused as never matching.
            Assert.Contains("never matches", Assert.Throws<ScheduleFormatException>(() => CronSchedule.Parse(expression, timeZoneId, rule)).Message, StringComparison.Ordinal);
            return;
        }

        var schedule = CronSchedule.Parse(expression, timeZoneId, rule);
        Assert.Equal(oracle.IsInterval, schedule.IsInterval);
        ZoneTable zone = Table(timeZoneId);

        // Wall-clock times of the whole year and a day either side, so that edge instants are covered.
        DateTime fromLocal = YearStart.UtcDateTime.AddDays(-1);
        DateTime toLocal = YearEnd.UtcDateTime.AddDays(1);
        List<DateTimeOffset> expected = oracle.Fires(zone, fromLocal, toLocal).Where(t => t >= YearStart && t < YearEnd).ToList();
        if (rule == DayMatching.Either)
        {
            Assert.NotEmpty(expected);
        }

        var actual = new List<DateTimeOffset>();
        for (DateTimeOffset t = schedule.NextAfter(YearStart.AddTicks(-1)); t < YearEnd; t = schedule.NextAfter(t))
        {
            actual.Add(t);
            Assert.True(actual.Count <= expected.Count, $"more fires than the oracle's {expected.Count}; the extra one at {t:O}");
        }

        Assert.Equal(expected, actual);

        // The next fire from instants between fires, spread over the year.
        var random = new Random(expression.Length * 31 + timeZoneId.Length);
        for (int i = 0; i < 25; i++)
        {
            DateTimeOffset from = YearStart.AddSeconds(random.NextInt64(0, 360L * 86400));
            DateTimeOffset? want = expected.FirstOrDefault(t => t > from) is var w && w != default ? w : null;
            if (want is { } next)
            {
                Assert.Equal(next, schedule.NextAfter(from));
            }
        }
    }

    [Theory]
    [InlineData(DayMatching.Either, "2026-02-13T09:00:00Z,2026-02-20T09:00:00Z,2026-02-27T09:00:00Z,2026-03-06T09:00:00Z,2026-03-13T09:00:00Z,2026-03-20T09:00:00Z")]
    [InlineData(DayMatching.Both, "2026-02-13T09:00:00Z,2026-03-13T09:00:00Z,2026-11-13T09:00:00Z,2027-08-13T09:00:00Z,2028-10-13T09:00:00Z,2029-04-13T09:00:00Z")]
    public void NextAfter_Friday13_EitherIsFridaysAnd13ths_BothIsFriday13th(DayMatching rule, string expected)
    {
        var schedule = CronSchedule.Parse("0 9 13 * 5", "UTC", rule);

        var fires = new List<DateTimeOffset>();
        for (DateTimeOffset t = new(2026, 2, 10, 0, 0, 0, TimeSpan.Zero); fires.Count < 6;)
        {
            t = schedule.NextAfter(t);
            fires.Add(t);
        }

        Assert.Equal(expected.Split(',').Select(e => DateTimeOffset.Parse(e, System.Globalization.CultureInfo.InvariantCulture)), fires);
        Assert.Equal(rule, schedule.DayMatching);
    }

    [Fact]
    public void Parse_DefaultDayMatching_IsEither()
    {
        Assert.Equal(DayMatching.Either, CronSchedule.Parse("0 9 13 * 5").DayMatching);
        Assert.Equal(DayMatching.Either, ReminderSchedule.Cron("0 9 13 * 5").DayMatching);
    }

    [Theory]
    [InlineData("0 0 30 2 *")] // day-of-week starred: both must match under either rule
    [InlineData("0 0 31 4 ?")]
    [InlineData("0 0 31 2,4,6,9,11 *")]
    public void Parse_ImpossibleDayWithAStarredField_IsRefusedUnderBothRules(string expression)
    {
        foreach (var rule in new[] { DayMatching.Either, DayMatching.Both })
        {
            var ex = Assert.Throws<ScheduleFormatException>(() => CronSchedule.Parse(expression, "UTC", rule));
            Assert.Contains("never matches", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_UndefinedDayMatching_IsRefusedNamingIt()
    {
        var ex = Assert.Throws<ScheduleFormatException>(() => CronSchedule.Parse("0 0 * * *", "UTC", (DayMatching)7));

        Assert.Equal("dayMatching", ex.ParamName);
    }

    [Fact]
    public void Equals_DiffersByDayMatching()
    {
        Assert.NotEqual(CronSchedule.Parse("0 9 13 * 5", "UTC", DayMatching.Either), CronSchedule.Parse("0 9 13 * 5", "UTC", DayMatching.Both));
        Assert.Equal(CronSchedule.Parse("0 9 13 * 5", "UTC", DayMatching.Both), CronSchedule.Parse("0 9 13 * 5", "UTC", DayMatching.Both));
    }

    private static ZoneTable Table(string timeZoneId)
    {
        lock (Tables)
        {
            if (!Tables.TryGetValue(timeZoneId, out ZoneTable? table))
            {
                table = new ZoneTable(timeZoneId, YearStart.AddDays(-3), YearEnd.AddDays(3));
                Tables[timeZoneId] = table;
            }

            return table;
        }
    }
}
