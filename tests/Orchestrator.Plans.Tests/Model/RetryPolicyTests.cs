using Orchestrator.Plans.Model;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Plans.Tests.Model;

public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(7, 600)] // capped at maxBackoff
    public void BackoffBefore_Defaults_KubernetesBackoff(int retry, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new RetryPolicy().BackoffBefore(retry));

    public static TheoryData<RetryPolicy> Unbounded() =>
    [
        new RetryPolicy { InitialBackoff = TimeSpan.MaxValue, MaxBackoff = TimeSpan.MaxValue },
        new RetryPolicy { InitialBackoff = TimeSpan.FromDays(3_000_000), MaxBackoff = TimeSpan.FromDays(3_000_000), Factor = 1e300 },
        new RetryPolicy { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.MaxValue, Factor = double.PositiveInfinity },
        new RetryPolicy { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromHours(1), Factor = double.NaN },
        new RetryPolicy { InitialBackoff = TimeSpan.MinValue, MaxBackoff = TimeSpan.MinValue, Factor = -5 },
        new RetryPolicy { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.MaxValue, Factor = 10 },
    ];

    [Theory]
    [MemberData(nameof(Unbounded))]
    public void BackoffBefore_PolicyNeverValidated_NeverThrows_StaysWithinZeroAndTheLongestDuration(RetryPolicy policy)
    {
        foreach (var retry in new[] { int.MinValue, 0, 1, 2, 100, 1000, int.MaxValue })
        {
            var delay = policy.BackoffBefore(retry);

            Assert.InRange(delay, TimeSpan.Zero, PlanLimits.MaxDuration);
        }
    }
}
