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
        _ = DateTimeOffset.UtcNow.AddYears(7000) + due; // a reminder's anchor, even far in the future, is a date
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
