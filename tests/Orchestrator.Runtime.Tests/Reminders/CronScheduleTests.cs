using System.Globalization;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Tests.Reminders;

public sealed class CronScheduleTests
{
    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    /// <summary>All fire times strictly after <paramref name="after"/> and at or before <paramref name="until"/>.</summary>
    private static List<DateTimeOffset> Fires(ReminderSchedule schedule, DateTimeOffset after, DateTimeOffset until)
    {
        var fires = new List<DateTimeOffset>();
        for (var t = schedule.NextAfter(after); t <= until; t = schedule.NextAfter(t))
        {
            Assert.True(fires.Count < 100_000, "runaway iteration");
            fires.Add(t);
        }

        return fires;
    }

    // ---- Parsing ----

    [Fact]
    public void Parse_FiveFieldExpression_ComputesNextOccurrence()
    {
        var schedule = CronSchedule.Parse("*/15 * * * *");

        Assert.Equal("*/15 * * * *", schedule.Expression);
        Assert.Equal("UTC", schedule.TimeZoneId);
        Assert.Equal(Utc(2026, 5, 1, 10, 15), schedule.NextAfter(Utc(2026, 5, 1, 10, 7)));
    }

    [Fact]
    public void Parse_SixFieldExpression_UsesLeadingSecondsField()
    {
        var schedule = CronSchedule.Parse("30 */5 * * * *");

        Assert.Equal(
            [Utc(2026, 5, 1, 10, 0, 30), Utc(2026, 5, 1, 10, 5, 30), Utc(2026, 5, 1, 10, 10, 30)],
            Fires(schedule, Utc(2026, 5, 1, 10, 0), Utc(2026, 5, 1, 10, 10, 30)));
    }

    [Theory]
    [InlineData("@yearly", "2027-01-01T00:00:00Z")]
    [InlineData("@annually", "2027-01-01T00:00:00Z")]
    [InlineData("@monthly", "2026-04-01T00:00:00Z")]
    [InlineData("@weekly", "2026-03-22T00:00:00Z")] // 2026-03-15 is a Sunday
    [InlineData("@daily", "2026-03-16T00:00:00Z")]
    [InlineData("@midnight", "2026-03-16T00:00:00Z")]
    [InlineData("@hourly", "2026-03-15T13:00:00Z")]
    public void Parse_Macro_MapsToStandardExpression(string macro, string expected)
    {
        var schedule = CronSchedule.Parse(macro);

        Assert.Equal(macro, schedule.Expression);
        var next = schedule.NextAfter(Utc(2026, 3, 15, 12, 0));
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), next);
    }

    [Fact]
    public void Parse_SurroundingWhitespace_KeepsTrimmedExpression()
    {
        var schedule = CronSchedule.Parse("  0 0 * * *\t ");

        Assert.Equal("0 0 * * *", schedule.Expression);
        Assert.Equal(Utc(2026, 3, 16, 0, 0), schedule.NextAfter(Utc(2026, 3, 15, 12, 0)));
    }

    [Fact]
    public void Parse_MonthAndDayNames_AreAccepted()
    {
        var schedule = CronSchedule.Parse("0 9 * jan-MAR MON-FRI");

        // 2026-03-27 is a Friday; the next weekday in January-March after it is Monday 2026-03-30.
        Assert.Equal(Utc(2026, 3, 30, 9, 0), schedule.NextAfter(Utc(2026, 3, 27, 9, 0)));
        // After the last weekday of March the next match is in January.
        Assert.Equal(Utc(2027, 1, 1, 9, 0), schedule.NextAfter(Utc(2026, 3, 31, 9, 0)));
    }

    [Theory]
    [InlineData("61 * * * *", "minute field: value 61 is out of range 0-59")]
    [InlineData("0 24 * * *", "hour field: value 24 is out of range 0-23")]
    [InlineData("0 0 0 * *", "day-of-month field: value 0 is out of range 1-31")]
    [InlineData("0 0 * 13 *", "month field: value 13 is out of range 1-12")]
    [InlineData("0 0 * * 8", "day-of-week field: value 8 is out of range 0-6")]
    [InlineData("60 0 0 * * *", "second field: value 60 is out of range 0-59")]
    [InlineData("*/0 * * * *", "minute field: step '0'")]
    [InlineData("5-1 * * * *", "minute field: range '5-1' is reversed")]
    [InlineData("0 0 ?-5 * *", "day-of-month field: '?' is not valid")] // '?' alone is '*', not a range bound
    [InlineData("0 0 * FOO *", "month field: 'FOO' is not valid")]
    [InlineData("x * * * *", "minute field: 'x' is not valid")]
    [InlineData("1,,2 * * * *", "minute field: empty list element")]
    [InlineData("* * * *", "expected 5 fields")]
    [InlineData("* * * * * * *", "found 7")]
    [InlineData("@every5m", "unknown macro '@every5m'")]
    [InlineData("0 0 30 2 *", "never matches any date")]
    [InlineData("   ", "the expression is empty")]
    public void Parse_InvalidExpression_ThrowsNamingFieldAndReason(string expression, string expectedFragment)
    {
        var ex = Assert.Throws<ScheduleFormatException>(() => CronSchedule.Parse(expression));

        Assert.StartsWith($"cron expression '{expression.Trim()}':", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expectedFragment, ex.Message, StringComparison.Ordinal);
        Assert.Equal("expression", ex.ParamName);
    }

    [Fact]
    public void Parse_OutOfRangeMinute_HasExactDocumentedMessage()
    {
        var ex = Assert.Throws<ScheduleFormatException>(() => ReminderSchedule.Cron("61 * * * *"));

        Assert.StartsWith(
            "cron expression '61 * * * *': minute field: value 61 is out of range 0-59",
            ex.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownTimeZone_ThrowsNamingTimeZone()
    {
        var ex = Assert.Throws<ScheduleFormatException>(() => CronSchedule.Parse("0 0 * * *", "Mars/Base"));

        Assert.StartsWith("time zone 'Mars/Base': not a known IANA time zone id", ex.Message, StringComparison.Ordinal);
        Assert.Equal("timeZoneId", ex.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Parse_EmptyTimeZone_Throws(string timeZoneId)
    {
        var ex = Assert.Throws<ScheduleFormatException>(() => CronSchedule.Parse("0 0 * * *", timeZoneId));

        Assert.Contains("time zone", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*/30 * * * *", true)]
    [InlineData("0 * * * *", true)]
    [InlineData("0-10 1 * * *", true)]
    [InlineData("0 1-3 * * *", true)]
    [InlineData("*/10 30 1 * * *", true)]
    [InlineData("@hourly", true)]
    [InlineData("30 1 * * *", false)]
    [InlineData("0,30 1 * * *", false)]
    [InlineData("0 30 1 * * *", false)]
    [InlineData("0 0 */2 * *", false)]
    [InlineData("@daily", false)]
    public void IsInterval_SubDayFieldWithStarStepOrRange_IsTrue(string expression, bool expected)
    {
        Assert.Equal(expected, CronSchedule.Parse(expression).IsInterval);
    }

    [Fact]
    public void Equals_SameExpressionAndZone_AreEqual()
    {
        var a = CronSchedule.Parse("0 0 * * *", "Europe/London");
        var b = ReminderSchedule.Cron("0 0 * * *", "Europe/London");

        Assert.Equal(a, b);
        Assert.Equal<ReminderSchedule>(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, CronSchedule.Parse("0 0 * * *", "America/New_York"));
        Assert.NotEqual(a, CronSchedule.Parse("@daily", "Europe/London"));
    }

    // ---- UTC ----

    [Fact]
    public void NextAfter_ExactlyAtOccurrence_ReturnsFollowingOccurrence()
    {
        var schedule = CronSchedule.Parse("0 0 * * *");

        Assert.Equal(Utc(2026, 3, 17, 0, 0), schedule.NextAfter(Utc(2026, 3, 16, 0, 0)));
        Assert.Equal(Utc(2026, 3, 16, 0, 0), schedule.NextAfter(Utc(2026, 3, 16, 0, 0).AddTicks(-1)));
    }

    [Fact]
    public void FirstAtOrAfter_AtOccurrence_ReturnsThatOccurrence()
    {
        var schedule = CronSchedule.Parse("0 0 * * *");

        Assert.Equal(Utc(2026, 3, 16, 0, 0), schedule.FirstAtOrAfter(Utc(2026, 3, 16, 0, 0)));
        Assert.Equal(Utc(2026, 3, 17, 0, 0), schedule.FirstAtOrAfter(Utc(2026, 3, 16, 0, 0).AddMilliseconds(500)));
    }

    [Fact]
    public void NextAfter_SubSecondAfter_IsStrictlyAfter()
    {
        var schedule = CronSchedule.Parse("* * * * * *");

        var after = Utc(2026, 3, 16, 0, 0).AddMilliseconds(999);

        Assert.Equal(Utc(2026, 3, 16, 0, 0, 1), schedule.NextAfter(after));
    }

    [Fact]
    public void NextAfter_NonUtcInput_ReturnsUtcOffsetZero()
    {
        var schedule = CronSchedule.Parse("0 12 * * *", "Europe/London");

        var next = schedule.NextAfter(new DateTimeOffset(2026, 7, 1, 8, 0, 0, TimeSpan.FromHours(9))); // 2026-06-30 23:00Z

        Assert.Equal(TimeSpan.Zero, next.Offset);
        Assert.Equal(Utc(2026, 7, 1, 11, 0), next); // 12:00 BST
    }

    // ---- Europe/London: 2026-03-29 01:00Z (01:00 GMT -> 02:00 BST), 2026-10-25 01:00Z (02:00 BST -> 01:00 GMT) ----

    [Fact]
    public void NextAfter_LondonSpringForwardNonInterval_FiresOnceAtTransition()
    {
        var schedule = CronSchedule.Parse("30 1 * * *", "Europe/London");

        Assert.Equal(
            [Utc(2026, 3, 28, 1, 30), Utc(2026, 3, 29, 1, 0), Utc(2026, 3, 30, 0, 30)],
            Fires(schedule, Utc(2026, 3, 28, 0, 0), Utc(2026, 3, 30, 23, 59)));
    }

    [Fact]
    public void NextAfter_LondonSpringForwardInterval_CollapsesGapIntoOneFire()
    {
        var schedule = CronSchedule.Parse("*/15 * * * *", "Europe/London");

        // 00:45 GMT, then 01:00/01:15/01:30/01:45 (gap) and 02:00 BST all fire once at 01:00Z, then 02:15 BST.
        Assert.Equal(
            [Utc(2026, 3, 29, 0, 45), Utc(2026, 3, 29, 1, 0), Utc(2026, 3, 29, 1, 15), Utc(2026, 3, 29, 1, 30)],
            Fires(schedule, Utc(2026, 3, 29, 0, 30), Utc(2026, 3, 29, 1, 30)));
    }

    [Fact]
    public void NextAfter_LondonSpringForwardAtFirstValidTime_FiresOnce()
    {
        var schedule = CronSchedule.Parse("0 2 * * *", "Europe/London");

        Assert.Equal(
            [Utc(2026, 3, 28, 2, 0), Utc(2026, 3, 29, 1, 0), Utc(2026, 3, 30, 1, 0)],
            Fires(schedule, Utc(2026, 3, 28, 0, 0), Utc(2026, 3, 30, 23, 59)));
    }

    [Fact]
    public void NextAfter_LondonSpringForwardOccurrenceAfterGap_UsesNewOffset()
    {
        var schedule = CronSchedule.Parse("0 3 * * *", "Europe/London");

        Assert.Equal(Utc(2026, 3, 29, 2, 0), schedule.NextAfter(Utc(2026, 3, 28, 12, 0)));
    }

    [Fact]
    public void NextAfter_LondonFallBackNonInterval_FiresOnceInFirstOffset()
    {
        var schedule = CronSchedule.Parse("30 1 * * *", "Europe/London");

        Assert.Equal(
            [Utc(2026, 10, 24, 0, 30), Utc(2026, 10, 25, 0, 30), Utc(2026, 10, 26, 1, 30)],
            Fires(schedule, Utc(2026, 10, 24, 0, 0), Utc(2026, 10, 26, 23, 59)));
    }

    [Fact]
    public void NextAfter_LondonFallBackInterval_FiresInBothOffsets()
    {
        var schedule = CronSchedule.Parse("*/30 * * * *", "Europe/London");

        // Local 00:30, 01:00, 01:30 BST, then 01:00, 01:30, 02:00 GMT.
        Assert.Equal(
            [
                Utc(2026, 10, 24, 23, 30), Utc(2026, 10, 25, 0, 0), Utc(2026, 10, 25, 0, 30),
                Utc(2026, 10, 25, 1, 0), Utc(2026, 10, 25, 1, 30), Utc(2026, 10, 25, 2, 0),
            ],
            Fires(schedule, Utc(2026, 10, 24, 23, 0), Utc(2026, 10, 25, 2, 0)));
    }

    [Fact]
    public void NextAfter_LondonFallBackHourly_FiresAtOneOClockTwice()
    {
        var schedule = CronSchedule.Parse("@hourly", "Europe/London");

        Assert.Equal(
            [Utc(2026, 10, 24, 23, 0), Utc(2026, 10, 25, 0, 0), Utc(2026, 10, 25, 1, 0), Utc(2026, 10, 25, 2, 0)],
            Fires(schedule, Utc(2026, 10, 24, 22, 30), Utc(2026, 10, 25, 2, 0)));
    }

    // ---- America/New_York: 2026-03-08 07:00Z (02:00 EST -> 03:00 EDT), 2026-11-01 06:00Z (02:00 EDT -> 01:00 EST) ----

    [Fact]
    public void NextAfter_NewYorkSpringForwardNonInterval_FiresOnceAtTransition()
    {
        var schedule = CronSchedule.Parse("30 2 * * *", "America/New_York");

        Assert.Equal(
            [Utc(2026, 3, 7, 7, 30), Utc(2026, 3, 8, 7, 0), Utc(2026, 3, 9, 6, 30)],
            Fires(schedule, Utc(2026, 3, 7, 0, 0), Utc(2026, 3, 9, 23, 59)));
    }

    [Fact]
    public void NextAfter_NewYorkSpringForwardInterval_CollapsesGapIntoOneFire()
    {
        var schedule = CronSchedule.Parse("*/20 * * * *", "America/New_York");

        // 01:20, 01:40 EST; 02:00, 02:20, 02:40 (gap) and 03:00 EDT fire once at 07:00Z; then 03:20, 03:40 EDT.
        Assert.Equal(
            [Utc(2026, 3, 8, 6, 20), Utc(2026, 3, 8, 6, 40), Utc(2026, 3, 8, 7, 0), Utc(2026, 3, 8, 7, 20), Utc(2026, 3, 8, 7, 40)],
            Fires(schedule, Utc(2026, 3, 8, 6, 0), Utc(2026, 3, 8, 7, 40)));
    }

    [Fact]
    public void NextAfter_NewYorkFallBackNonInterval_FiresOnceInFirstOffset()
    {
        var schedule = CronSchedule.Parse("0,30 1 * * *", "America/New_York");

        Assert.Equal(
            [
                Utc(2026, 10, 31, 5, 0), Utc(2026, 10, 31, 5, 30),
                Utc(2026, 11, 1, 5, 0), Utc(2026, 11, 1, 5, 30),
                Utc(2026, 11, 2, 6, 0), Utc(2026, 11, 2, 6, 30),
            ],
            Fires(schedule, Utc(2026, 10, 31, 0, 0), Utc(2026, 11, 2, 23, 59)));
    }

    [Fact]
    public void NextAfter_NewYorkFallBackInterval_FiresInBothOffsets()
    {
        var schedule = CronSchedule.Parse("*/30 1 * * *", "America/New_York");

        // 01:00, 01:30 EDT, then 01:00, 01:30 EST, then the next day in EST.
        Assert.Equal(
            [
                Utc(2026, 10, 31, 5, 0), Utc(2026, 10, 31, 5, 30),
                Utc(2026, 11, 1, 5, 0), Utc(2026, 11, 1, 5, 30), Utc(2026, 11, 1, 6, 0), Utc(2026, 11, 1, 6, 30),
                Utc(2026, 11, 2, 6, 0), Utc(2026, 11, 2, 6, 30),
            ],
            Fires(schedule, Utc(2026, 10, 31, 0, 0), Utc(2026, 11, 2, 23, 59)));
    }

    // ---- America/Santiago: midnight transitions. 2026-04-05 03:00Z (Sun 00:00 -03 -> Sat 23:00 -04),
    //      2026-09-06 04:00Z (Sun 00:00 -04 -> 01:00 -03) ----

    [Fact]
    public void NextAfter_SantiagoMidnightSpringForward_DailyFiresOnceAtTransition()
    {
        var schedule = CronSchedule.Parse("0 0 * * *", "America/Santiago");

        Assert.Equal(
            [Utc(2026, 9, 5, 4, 0), Utc(2026, 9, 6, 4, 0), Utc(2026, 9, 7, 3, 0)],
            Fires(schedule, Utc(2026, 9, 4, 12, 0), Utc(2026, 9, 7, 12, 0)));
    }

    [Fact]
    public void NextAfter_SantiagoMidnightFallBack_DailyFiresOncePerDay()
    {
        var schedule = CronSchedule.Parse("0 0 * * *", "America/Santiago");

        Assert.Equal(
            [Utc(2026, 4, 4, 3, 0), Utc(2026, 4, 5, 4, 0), Utc(2026, 4, 6, 4, 0)],
            Fires(schedule, Utc(2026, 4, 3, 12, 0), Utc(2026, 4, 6, 12, 0)));
    }

    [Fact]
    public void NextAfter_SantiagoFallBackAmbiguousEvening_FiresOnceInFirstOffset()
    {
        var schedule = CronSchedule.Parse("30 23 * * *", "America/Santiago");

        // Saturday 23:30 happens at -03 (02:30Z) and again at -04 (03:30Z); only the first fires.
        Assert.Equal(
            [Utc(2026, 4, 4, 2, 30), Utc(2026, 4, 5, 2, 30), Utc(2026, 4, 6, 3, 30)],
            Fires(schedule, Utc(2026, 4, 3, 12, 0), Utc(2026, 4, 6, 12, 0)));
    }

    // ---- `after` inside a fold's second pass, or exactly at a transition ----

    [Fact]
    public void NextAfter_AfterInsideFoldSecondPassNonInterval_SkipsRepeatedTime()
    {
        var schedule = CronSchedule.Parse("30 1 * * *", "Europe/London");

        // 01:10Z is 01:10 GMT (second pass); 01:30 local already fired at 00:30Z.
        Assert.Equal(Utc(2026, 10, 26, 1, 30), schedule.NextAfter(Utc(2026, 10, 25, 1, 10)));
        Assert.Equal(Utc(2026, 10, 26, 1, 30), schedule.FirstAtOrAfter(Utc(2026, 10, 25, 1, 10)));
    }

    [Fact]
    public void NextAfter_AfterInsideFoldSecondPassInterval_FiresInSecondOffset()
    {
        var schedule = CronSchedule.Parse("*/30 * * * *", "Europe/London");

        Assert.Equal(Utc(2026, 10, 25, 1, 30), schedule.NextAfter(Utc(2026, 10, 25, 1, 10)));
    }

    [Fact]
    public void NextAfter_AfterExactlyAtFallBackTransition_ContinuesCorrectly()
    {
        var transition = Utc(2026, 10, 25, 1, 0);

        Assert.Equal(Utc(2026, 10, 26, 1, 30), CronSchedule.Parse("30 1 * * *", "Europe/London").NextAfter(transition));
        Assert.Equal(Utc(2026, 10, 25, 1, 30), CronSchedule.Parse("*/30 * * * *", "Europe/London").NextAfter(transition));
        Assert.Equal(Utc(2026, 10, 25, 2, 0), CronSchedule.Parse("0 2 * * *", "Europe/London").NextAfter(transition));
        Assert.Equal(transition, CronSchedule.Parse("*/30 * * * *", "Europe/London").FirstAtOrAfter(transition));
    }

    [Fact]
    public void NextAfter_AfterExactlyAtSpringForwardTransition_ContinuesCorrectly()
    {
        var transition = Utc(2026, 3, 29, 1, 0);

        Assert.Equal(Utc(2026, 3, 30, 0, 30), CronSchedule.Parse("30 1 * * *", "Europe/London").NextAfter(transition));
        Assert.Equal(Utc(2026, 3, 29, 1, 15), CronSchedule.Parse("*/15 * * * *", "Europe/London").NextAfter(transition));
        Assert.Equal(transition, CronSchedule.Parse("30 1 * * *", "Europe/London").FirstAtOrAfter(transition));
    }

    // ---- Whole-year iteration ----

    [Fact]
    public void NextAfter_EverySevenMinutesForAYearInLondon_IsStrictlyIncreasingWithExactCount()
    {
        var schedule = CronSchedule.Parse("*/7 * * * *", "Europe/London");

        var fires = Fires(schedule, Utc(2026, 1, 1, 0, 0).AddTicks(-1), Utc(2027, 1, 1, 0, 0).AddTicks(-1));

        // 9 per hour, 216 per local day, 365 days: the spring gap loses 9 (10 collapse into 1), the fold adds 9.
        Assert.Equal(365 * 216, fires.Count);
        Assert.Equal(fires.Count, fires.Distinct().Count());
        Assert.Equal(Utc(2026, 1, 1, 0, 0), fires[0]);
    }

    [Theory]
    [InlineData("Europe/London")]
    [InlineData("America/New_York")]
    [InlineData("America/Santiago")]
    [InlineData("Asia/Beirut")]
    [InlineData("Australia/Lord_Howe")] // 30-minute DST shift
    public void NextAfter_EverySevenMinutesForAYear_IsStrictlyIncreasingWithBoundedGaps(string timeZoneId)
    {
        var schedule = CronSchedule.Parse("*/7 * * * *", timeZoneId);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);

        var fires = Fires(schedule, Utc(2026, 1, 1, 0, 0), Utc(2027, 1, 1, 0, 0));

        Assert.True(fires.Count > 360 * 216, $"only {fires.Count} fires");
        for (int i = 1; i < fires.Count; i++)
        {
            var step = fires[i] - fires[i - 1];
            Assert.True(step > TimeSpan.Zero, $"step {step} at {fires[i]:O}");
            Assert.Equal(TimeSpan.Zero, fires[i].Offset);

            // At most 7 minutes apart, except across a transition, where the local grid restarts (e.g. Lord Howe's
            // 30-minute fold: 01:56 +11 is followed by 01:35 +10:30, 9 minutes later).
            bool acrossTransition = zone.GetUtcOffset(fires[i]) != zone.GetUtcOffset(fires[i - 1]);
            Assert.True(
                step <= TimeSpan.FromMinutes(7) || (acrossTransition && step < TimeSpan.FromMinutes(67)),
                $"step {step} at {fires[i]:O}");
        }
    }

    [Theory]
    [InlineData("*/7 * * * *", "Europe/London")]
    [InlineData("*/7 * * * *", "Australia/Lord_Howe")]
    [InlineData("30 1 * * *", "Europe/London")]
    [InlineData("0,30 1 * * *", "America/New_York")]
    [InlineData("0,30 0-2 * * *", "America/New_York")]
    [InlineData("15 2 * * *", "America/New_York")]
    [InlineData("0 0 * * *", "America/Santiago")]
    [InlineData("0 23 * * *", "America/Santiago")]
    [InlineData("*/20 23,0 * * *", "Asia/Beirut")]
    [InlineData("45 1 * * *", "Australia/Lord_Howe")]
    public void NextAfter_OverAYear_MatchesBruteForceReference(string expression, string timeZoneId)
    {
        var schedule = CronSchedule.Parse(expression, timeZoneId);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        string[] fields = expression.Split(' ');
        var minutes = ExpandField(fields[0], 59);
        var hours = ExpandField(fields[1], 23);
        var start = Utc(2026, 1, 1, 0, 0);
        var end = Utc(2027, 1, 1, 0, 0);

        // Every UTC minute of the year, keyed by the local wall-clock minute it shows (a fold gives a local minute two
        // instants); all 2026 transitions of these zones are on whole minutes.
        var instantsByLocal = new Dictionary<DateTime, (DateTimeOffset First, DateTimeOffset? Second)>();
        var gaps = new List<(DateTime LocalStart, DateTime LocalEnd, DateTimeOffset Transition)>();
        var previousOffset = zone.GetUtcOffset(start);
        for (var t = start; t < end; t = t.AddMinutes(1))
        {
            var offset = zone.GetUtcOffset(t);
            var local = t.UtcDateTime + offset;
            if (offset > previousOffset)
            {
                gaps.Add((t.UtcDateTime + previousOffset, local, t));
            }

            previousOffset = offset;
            instantsByLocal[local] = instantsByLocal.TryGetValue(local, out var seen) ? (seen.First, t) : (t, null);
        }

        var expected = new SortedSet<DateTimeOffset>();
        var lastMinute = end.AddMinutes(-1);
        var lastLocal = lastMinute.UtcDateTime + zone.GetUtcOffset(lastMinute);
        for (var local = start.UtcDateTime + zone.GetUtcOffset(start); local <= lastLocal; local = local.AddMinutes(1))
        {
            if (!minutes.Contains(local.Minute) || !hours.Contains(local.Hour))
            {
                continue;
            }

            if (instantsByLocal.TryGetValue(local, out var instants))
            {
                expected.Add(instants.First);
                if (schedule.IsInterval && instants.Second is { } second)
                {
                    expected.Add(second);
                }
            }
            else
            {
                // In a gap: fires at the transition instant.
                expected.Add(gaps.Single(g => g.LocalStart <= local && local < g.LocalEnd).Transition);
            }
        }

        var actual = Fires(schedule, start.AddTicks(-1), end.AddTicks(-1));

        // The brute force cannot see occurrences whose wall-clock time lies outside the scanned year at its edges.
        var inner = expected.Where(t => t > start.AddDays(1) && t < end.AddDays(-1)).ToList();
        Assert.True(inner.Count > 300, $"reference produced only {inner.Count} fires");
        Assert.Equal(inner, actual.Where(t => t > start.AddDays(1) && t < end.AddDays(-1)).ToList());
    }

    private static HashSet<int> ExpandField(string field, int max)
    {
        var values = new HashSet<int>();
        foreach (string part in field.Split(','))
        {
            string[] stepParts = part.Split('/');
            int step = stepParts.Length == 2 ? int.Parse(stepParts[1], CultureInfo.InvariantCulture) : 1;
            string[] bounds = stepParts[0] == "*" ? ["0", max.ToString(CultureInfo.InvariantCulture)] : stepParts[0].Split('-');
            int from = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            int to = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
            for (int v = from; v <= to; v += step)
            {
                values.Add(v);
            }
        }

        return values;
    }

    [Fact]
    public void NextAfter_YearlyInDstZone_IteratesAcrossYears()
    {
        var schedule = CronSchedule.Parse("@yearly", "America/New_York");

        Assert.Equal(
            [Utc(2027, 1, 1, 5, 0), Utc(2028, 1, 1, 5, 0), Utc(2029, 1, 1, 5, 0)],
            Fires(schedule, Utc(2026, 6, 1, 0, 0), Utc(2029, 6, 1, 0, 0)));
    }
}
