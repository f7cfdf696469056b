using Orchestrator.Grains.Common;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Engine.Tests.StuckRuns;

/// <summary>Times the grains compute from plan durations stay representable, whatever the duration.</summary>
public sealed class SafeTimeTests
{
    public static TheoryData<long> Spans() =>
    [
        TimeSpan.MinValue.Ticks, -1, 0, 1, TimeSpan.FromDays(30).Ticks, TimeSpan.FromDays(3_000_000).Ticks, TimeSpan.FromSeconds(int.MaxValue).Ticks, TimeSpan.MaxValue.Ticks,
    ];

    [Theory]
    [MemberData(nameof(Spans))]
    public void Due_AnySpan_BetweenZeroAndTheLongestPlanDuration(long ticks)
    {
        var due = SafeTime.Due(TimeSpan.FromTicks(ticks));

        Assert.InRange(due, TimeSpan.Zero, PlanLimits.MaxDuration);
        Assert.Equal(TimeSpan.FromTicks(Math.Clamp(ticks, 0, PlanLimits.MaxDuration.Ticks)), due);
    }

    [Fact]
    public void Due_LongestFromAClockInTheYear9989_IsADate3650DaysOn()
    {
        // A reminder is due at the silo's clock plus Due(...): even from a clock far past any real one, the longest
        // due time is a representable date, exactly the longest plan duration on (9992 and 9996 are leap years).
        var clock = new DateTimeOffset(9989, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var at = clock + SafeTime.Due(TimeSpan.MaxValue);

        Assert.Equal(TimeSpan.FromDays(3650), PlanLimits.MaxDuration);
        Assert.Equal(new DateTimeOffset(9998, 12, 30, 0, 0, 0, TimeSpan.Zero), at);
    }

    [Theory]
    [MemberData(nameof(Spans))]
    public void Add_AnySpanToAnyInstant_NeverThrows_AndSaturates(long ticks)
    {
        var span = TimeSpan.FromTicks(ticks);
        foreach (var at in new[] { DateTimeOffset.MinValue, new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.FromHours(14)), DateTimeOffset.MaxValue })
        {
            var sum = SafeTime.Add(at, span);

            if (at.UtcTicks + (decimal)ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                Assert.Equal(DateTimeOffset.MaxValue, sum);
            }
            else if (at.UtcTicks + (decimal)ticks < DateTimeOffset.MinValue.UtcTicks)
            {
                Assert.Equal(DateTimeOffset.MinValue, sum);
            }
            else
            {
                Assert.Equal(at + span, sum);
            }
        }
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 0)]
    [InlineData(1500, 1500)]
    [InlineData(2_147_483_647L, int.MaxValue)]
    [InlineData(2_147_483_648L, int.MaxValue)]
    [InlineData(31_536_000_000L, int.MaxValue)] // a Harbor job's 365-day timeout
    public void Milliseconds_AnyTimeout_FitsTheAgentProtocol(long milliseconds, int expected) =>
        Assert.Equal(expected, SafeTime.Milliseconds(TimeSpan.FromMilliseconds(milliseconds)));
}
