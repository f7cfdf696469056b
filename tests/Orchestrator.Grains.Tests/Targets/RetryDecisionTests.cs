using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Targets;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Tests.Targets;

public sealed class RetryDecisionTests
{
    private static readonly RetryPolicy TwoRetries = new() { Limit = 2 };

    [Theory]
    [InlineData(TargetStatus.Failed)]
    [InlineData(TargetStatus.TimedOut)]
    [InlineData(TargetStatus.AgentOffline)]
    [InlineData(TargetStatus.AgentLost)]
    public void Backoff_FailureWithRetriesLeft_WaitsThePolicysBackoff(TargetStatus status)
    {
        Assert.Equal(TimeSpan.FromSeconds(10), RetryDecision.Backoff(new RunVerdict(status), 0, TwoRetries));
        Assert.Equal(TimeSpan.FromSeconds(20), RetryDecision.Backoff(new RunVerdict(status), 1, TwoRetries));
    }

    [Fact]
    public void Backoff_RetriesUsedUp_NoRetry()
    {
        Assert.Null(RetryDecision.Backoff(new RunVerdict(TargetStatus.Failed), 2, TwoRetries));
        Assert.Null(RetryDecision.Backoff(new RunVerdict(TargetStatus.Failed), 0, new RetryPolicy()));
    }

    [Theory]
    [InlineData(TargetStatus.Succeeded)]
    [InlineData(TargetStatus.Stopped)]
    [InlineData(TargetStatus.Cancelled)]
    [InlineData(TargetStatus.Skipped)]
    public void Backoff_NotAFailure_NoRetry(TargetStatus status) =>
        Assert.Null(RetryDecision.Backoff(new RunVerdict(status), 0, TwoRetries));

    [Fact]
    public void Backoff_RuleForbidsRetries_NoRetry()
    {
        Assert.Null(RetryDecision.Backoff(new RunVerdict(TargetStatus.Failed, FailStep: true, MayRetry: false), 0, TwoRetries));
        Assert.Null(RetryDecision.Backoff(new RunVerdict(TargetStatus.Failed, MayRetry: false), 0, TwoRetries));
        Assert.Null(RetryDecision.Backoff(new RunVerdict(TargetStatus.Failed, FailStep: true), 0, TwoRetries));
    }

    [Fact]
    public void Backoff_GrowsByTheFactor_UpToTheMaximum()
    {
        var policy = new RetryPolicy { Limit = 10, InitialBackoff = TimeSpan.FromSeconds(1), Factor = 3, MaxBackoff = TimeSpan.FromSeconds(20) };

        var waits = Enumerable.Range(0, 5).Select(used => RetryDecision.Backoff(new RunVerdict(TargetStatus.Failed), used, policy));

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20)], waits);
    }
}
