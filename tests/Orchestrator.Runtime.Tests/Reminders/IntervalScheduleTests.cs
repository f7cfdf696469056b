using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Tests.Reminders;

public sealed class IntervalScheduleTests
{
    private static readonly DateTimeOffset Anchor = new(2026, 1, 1, 0, 0, 10, TimeSpan.Zero);

    [Fact]
    public void NextAfter_BetweenGridPoints_ReturnsNextGridPoint()
    {
        var schedule = ReminderSchedule.Every(TimeSpan.FromMinutes(1), Anchor);

        var next = schedule.NextAfter(new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 5, 10, TimeSpan.Zero), next);
    }

    [Fact]
    public void NextAfter_ExactlyOnGridPoint_ReturnsFollowingGridPoint()
    {
        var schedule = ReminderSchedule.Every(TimeSpan.FromMinutes(1), Anchor);

        Assert.Equal(Anchor.AddMinutes(1), schedule.NextAfter(Anchor));
        Assert.Equal(Anchor.AddMinutes(6), schedule.NextAfter(Anchor.AddMinutes(5)));
    }

    [Fact]
    public void NextAfter_BeforeAnchor_AlignsToAnchorGrid()
    {
        var schedule = ReminderSchedule.Every(TimeSpan.FromMinutes(1), Anchor);

        Assert.Equal(
            new DateTimeOffset(2025, 12, 31, 23, 59, 10, TimeSpan.Zero),
            schedule.NextAfter(new DateTimeOffset(2025, 12, 31, 23, 58, 30, TimeSpan.Zero)));
        Assert.Equal(Anchor, schedule.NextAfter(Anchor.AddTicks(-1)));
        Assert.Equal(Anchor.AddMinutes(-3), schedule.NextAfter(Anchor.AddMinutes(-4)));
    }

    [Fact]
    public void NextAfter_OneTickBeforeGridPoint_ReturnsThatGridPoint()
    {
        var schedule = ReminderSchedule.Every(TimeSpan.FromHours(1), Anchor);

        Assert.Equal(Anchor.AddHours(3), schedule.NextAfter(Anchor.AddHours(3).AddTicks(-1)));
        Assert.Equal(Anchor.AddHours(4), schedule.NextAfter(Anchor.AddHours(3).AddTicks(1)));
    }

    [Fact]
    public void NextAfter_Iterated_IsStrictlyIncreasingByExactlyOnePeriod()
    {
        var period = TimeSpan.FromMilliseconds(1500);
        var schedule = ReminderSchedule.Every(period, Anchor);

        var current = schedule.NextAfter(Anchor.AddSeconds(-0.2));
        for (int i = 0; i < 1000; i++)
        {
            var next = schedule.NextAfter(current);
            Assert.Equal(period, next - current);
            Assert.Equal(0, (next - Anchor).Ticks % period.Ticks);
            current = next;
        }
    }

    [Fact]
    public void FirstAtOrAfter_OnGridPoint_ReturnsThatGridPoint()
    {
        var schedule = ReminderSchedule.Every(TimeSpan.FromSeconds(30), Anchor);

        Assert.Equal(Anchor.AddSeconds(90), schedule.FirstAtOrAfter(Anchor.AddSeconds(90)));
        Assert.Equal(Anchor.AddSeconds(120), schedule.FirstAtOrAfter(Anchor.AddSeconds(90).AddTicks(1)));
    }

    [Fact]
    public void NextAfter_NonUtcOffsets_ReturnsUtcInstant()
    {
        var anchor = new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)); // 00:00Z
        var schedule = ReminderSchedule.Every(TimeSpan.FromHours(1), anchor);

        var next = schedule.NextAfter(new DateTimeOffset(2026, 1, 1, 5, 30, 0, TimeSpan.FromHours(-5))); // 10:30Z

        Assert.Equal(TimeSpan.Zero, next.Offset);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 11, 0, 0, TimeSpan.Zero), next);
        Assert.Equal(TimeSpan.Zero, schedule.Anchor.Offset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-60_000)]
    public void Every_NonPositivePeriod_ThrowsNamingPeriod(int milliseconds)
    {
        var ex = Assert.Throws<ScheduleFormatException>(
            () => ReminderSchedule.Every(TimeSpan.FromMilliseconds(milliseconds), Anchor));

        Assert.Contains("period", ex.Message, StringComparison.Ordinal);
        Assert.Contains("greater than zero", ex.Message, StringComparison.Ordinal);
        Assert.Equal("period", ex.ParamName);
    }

    [Fact]
    public void With_NonPositivePeriod_Throws()
    {
        var schedule = ReminderSchedule.Every(TimeSpan.FromMinutes(1), Anchor);

        Assert.Throws<ScheduleFormatException>(() => schedule with { Period = TimeSpan.Zero });
    }

    [Fact]
    public void Equals_SameInstantDifferentOffset_AreEqual()
    {
        var a = ReminderSchedule.Every(TimeSpan.FromMinutes(5), Anchor);
        var b = new IntervalSchedule(TimeSpan.FromMinutes(5), Anchor.ToOffset(TimeSpan.FromHours(9)));
        var c = ReminderSchedule.Every(TimeSpan.FromMinutes(6), Anchor);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.Equal<ReminderSchedule>(a, b);
    }

    [Fact]
    public void Deconstruct_PositionalMembers_ReturnsPeriodAndAnchor()
    {
        var (period, anchor) = ReminderSchedule.Every(TimeSpan.FromMinutes(5), Anchor);

        Assert.Equal(TimeSpan.FromMinutes(5), period);
        Assert.Equal(Anchor, anchor);
    }
}
