using Orchestrator.Containers.Execution;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Containers;
using Orchestrator.Grains.Targets;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Tests.Containers;

public sealed class ContainerOutcomesTests
{
    private static JobOutcome Outcome(JobOutcomeKind kind, int? exitCode = null, string message = "Job j: what happened", string? reason = null) =>
        new(kind, message, reason, exitCode, "j-abc", new JobProgress(0, 0, 1));

    [Fact]
    public void Judge_Succeeded_SucceededWithExitCodeZero() =>
        Assert.Equal(new ContainerVerdict(new RunVerdict(TargetStatus.Succeeded), 0, null), ContainerOutcomes.Judge(Outcome(JobOutcomeKind.Succeeded), stopping: false));

    [Fact]
    public void Judge_Failed_FailedWithThePodsExitCodeAndTheMessageRetriable()
    {
        var judged = ContainerOutcomes.Judge(Outcome(JobOutcomeKind.Failed, 3, "Job j failed: BackoffLimitExceeded; pod p exited 3", "BackoffLimitExceeded"), stopping: false);

        Assert.Equal((TargetStatus.Failed, true, 3), (judged.Verdict.Status, judged.Verdict.MayRetry, judged.ExitCode));
        Assert.Equal("Job j failed: BackoffLimitExceeded; pod p exited 3", judged.Error);
        Assert.False(judged.Reattach);
    }

    [Fact]
    public void Judge_DeadlineExceeded_TimedOut() =>
        Assert.Equal(TargetStatus.TimedOut, ContainerOutcomes.Judge(Outcome(JobOutcomeKind.DeadlineExceeded), stopping: false).Verdict.Status);

    [Fact]
    public void Judge_ImagePullFailed_FailedWithoutRetriesSayingSo()
    {
        var judged = ContainerOutcomes.Judge(Outcome(JobOutcomeKind.ImagePullFailed, message: "pod p could not pull image 'x'"), stopping: false);

        Assert.Equal((TargetStatus.Failed, false), (judged.Verdict.Status, judged.Verdict.MayRetry));
        Assert.Equal("image pull failed: pod p could not pull image 'x'", judged.Error);
        Assert.Null(RetryDecision.Backoff(judged.Verdict, 0, new RetryPolicy { Limit = 3 }));
    }

    [Fact]
    public void Judge_ClusterUnreachable_FailedButReattachable()
    {
        var judged = ContainerOutcomes.Judge(Outcome(JobOutcomeKind.ClusterUnreachable), stopping: false);

        Assert.Equal((TargetStatus.Failed, true, true), (judged.Verdict.Status, judged.Verdict.MayRetry, judged.Reattach));
        Assert.NotNull(RetryDecision.Backoff(judged.Verdict, 0, new RetryPolicy { Limit = 1 }));
    }

    [Fact]
    public void Judge_Conflict_FailedWithoutRetries() =>
        Assert.False(ContainerOutcomes.Judge(Outcome(JobOutcomeKind.Conflict), stopping: false).Verdict.MayRetry);

    [Fact]
    public void Judge_DeletedByNobodyOfOurs_FailedSayingItWasDeletedOutside()
    {
        var judged = ContainerOutcomes.Judge(Outcome(JobOutcomeKind.Cancelled), stopping: false);

        Assert.Equal(TargetStatus.Failed, judged.Verdict.Status);
        Assert.StartsWith("the Job was deleted outside the orchestrator", judged.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(JobOutcomeKind.Cancelled, TargetStatus.Cancelled)]
    [InlineData(JobOutcomeKind.Failed, TargetStatus.Cancelled)]
    [InlineData(JobOutcomeKind.ClusterUnreachable, TargetStatus.Cancelled)]
    [InlineData(JobOutcomeKind.Succeeded, TargetStatus.Succeeded)]
    public void Judge_WhileStopping_OnlyASuccessStandsTheRestIsCancelled(JobOutcomeKind kind, TargetStatus expected)
    {
        var judged = ContainerOutcomes.Judge(Outcome(kind), stopping: true);

        Assert.Equal(expected, judged.Verdict.Status);
        Assert.Null(RetryDecision.Backoff(judged.Verdict, 0, new RetryPolicy { Limit = 3 }));
    }
}
