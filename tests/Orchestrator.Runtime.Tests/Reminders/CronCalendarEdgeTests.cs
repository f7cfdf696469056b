using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Tests.Reminders;

/// <summary>Fire times near the ends of the calendar stop cleanly instead of throwing out of range.</summary>
public sealed class CronCalendarEdgeTests
{
    public static TheoryData<string, string> Schedules() => new()
    {
        { "* * * * *", "UTC" },
        { "* * * * * *", "Pacific/Kiritimati" },   // +14:00
        { "0 0 1 1 *", "Pacific/Pago_Pago" },      // -11:00
        { "0 9 13 * 5", "America/New_York" },
        { "0 0 29 2 1", "Europe/London" },
    };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void TryNextAfter_AtOrNearTheEndOfTheCalendar_AnswersFalseWithoutThrowing(string expression, string zone)
    {
        var schedule = CronSchedule.Parse(expression, zone);

        foreach (DateTimeOffset after in new[] { DateTimeOffset.MaxValue, DateTimeOffset.MaxValue.AddDays(-2), new DateTimeOffset(9999, 12, 30, 12, 0, 0, TimeSpan.Zero) })
        {
            Assert.False(schedule.TryNextAfter(after, out _), $"after {after:O}");
            Assert.Throws<InvalidOperationException>(() => schedule.NextAfter(after));
        }
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void TryNextAfter_IteratedIntoTheLastYear_StopsCleanly(string expression, string zone)
    {
        var schedule = CronSchedule.Parse(expression, zone);

        var t = new DateTimeOffset(9999, 12, 28, 23, 0, 0, TimeSpan.Zero);
        int count = 0;
        while (schedule.TryNextAfter(t, out DateTimeOffset next))
        {
            Assert.True(next > t);
            t = next;
            Assert.True(++count < 400_000, "runaway iteration");
        }

        Assert.True(t.Year == 9999, $"stopped at {t:O}");
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void NextAfter_AtTheStartOfTheCalendar_FindsTheFirstDueTime(string expression, string zone)
    {
        var schedule = CronSchedule.Parse(expression, zone);

        foreach (DateTimeOffset after in new[] { DateTimeOffset.MinValue, new DateTimeOffset(1, 1, 1, 0, 0, 1, TimeSpan.Zero) })
        {
            Assert.True(schedule.TryNextAfter(after, out DateTimeOffset next));
            Assert.True(next > after && next.Year < 30, $"{next:O}");
            Assert.Equal(next, schedule.NextAfter(after));
        }
    }
}
