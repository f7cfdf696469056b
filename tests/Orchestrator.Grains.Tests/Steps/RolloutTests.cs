using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Steps;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Tests.Steps;

public sealed class RolloutTests
{
    private static ExecutionSpec Rolling(RollingMode mode, Quantity? successPolicy = null) =>
        new() { Rolling = new RollingSpec { Expression = "1", Mode = mode }, SuccessPolicy = successPolicy };

    [Fact]
    public void BatchSizes_NoRolling_OneBatchOfAll() =>
        Assert.Equal([7], Rollout.BatchSizes(null, 7));

    [Fact]
    public void BatchSizes_RollingExpression_ItsSizes() =>
        Assert.Equal([1, 10, 15, 30, 44], Rollout.BatchSizes(new RollingSpec { Expression = "1 10% +5 *2" }, 100));

    [Theory]
    [InlineData(0, 10, 0, null, 10)] // no limit: the whole batch
    [InlineData(4, 10, 3, null, 6)]
    [InlineData(0, 10, 0, 3, 3)] // parallelism caps it
    [InlineData(3, 10, 2, 3, 1)] // two run: one slot free
    [InlineData(3, 10, 3, 3, 0)] // all slots taken
    [InlineData(3, 10, 5, 3, 0)] // more run than allowed (a lower limit after a retry): none, never negative
    [InlineData(8, 10, 0, 5, 2)] // the batch ends first
    [InlineData(10, 10, 0, null, 0)] // the batch is all dispatched
    public void DispatchCount_BatchAndParallelism_DispatchesWhatBothAllow(int next, int batchEnd, int running, int? parallelism, int expected) =>
        Assert.Equal(expected, Rollout.DispatchCount(next, batchEnd, running, parallelism));

    [Theory]
    [InlineData(10, 10, 0, true)]
    [InlineData(10, 10, 1, false)] // one still runs
    [InlineData(9, 10, 0, false)] // one not dispatched yet
    public void BatchDone_AllDispatchedAndNoneRunning_Done(int next, int batchEnd, int running, bool expected) =>
        Assert.Equal(expected, Rollout.BatchDone(next, batchEnd, running));

    [Theory]
    [InlineData(RollingMode.Continue)]
    [InlineData(RollingMode.PauseOnFailure)]
    [InlineData(RollingMode.Confirm)]
    public void AfterBatch_LastBatch_FinishesSucceededWhateverTheMode(RollingMode mode) =>
        Assert.Equal(BatchEnd.Finish(ExecutionStatus.Succeeded, null), Rollout.AfterBatch(Rolling(mode), batch: 2, batchCount: 3, batchFailed: 1, total: 3, succeeded: 2));

    [Fact]
    public void AfterBatch_LastBatchShortOfTheSuccessPolicy_FailsWithTheReason() =>
        Assert.Equal(
            BatchEnd.Finish(ExecutionStatus.Failed, "Only 1 targets succeeded; the success policy needs 50% (2)."),
            Rollout.AfterBatch(Rolling(RollingMode.Continue, new Quantity(50, true)), batch: 2, batchCount: 3, batchFailed: 0, total: 3, succeeded: 1));

    [Fact]
    public void AfterBatch_Confirm_PausesBeforeEveryNextBatch()
    {
        var end = Rollout.AfterBatch(Rolling(RollingMode.Confirm), batch: 0, batchCount: 3, batchFailed: 0, total: 3, succeeded: 1);

        Assert.Equal(BatchEnd.Pause("Batch 1 of 3 done; waiting for confirmation to continue."), end);
    }

    [Fact]
    public void AfterBatch_PauseOnFailureAfterAFailedTarget_Pauses() =>
        Assert.Equal(
            BatchEnd.Pause("Batch 2 of 4 had 2 failed targets; paused."),
            Rollout.AfterBatch(Rolling(RollingMode.PauseOnFailure), batch: 1, batchCount: 4, batchFailed: 2, total: 8, succeeded: 2));

    [Fact]
    public void AfterBatch_PauseOnFailureWithoutFailures_RollsOn() =>
        Assert.Equal(BatchEnd.Next, Rollout.AfterBatch(Rolling(RollingMode.PauseOnFailure), batch: 0, batchCount: 3, batchFailed: 0, total: 3, succeeded: 1));

    [Fact]
    public void AfterBatch_ContinueAfterFailures_RollsOn() =>
        Assert.Equal(BatchEnd.Next, Rollout.AfterBatch(Rolling(RollingMode.Continue), batch: 0, batchCount: 3, batchFailed: 1, total: 3, succeeded: 0));

    [Fact]
    public void AfterBatch_NoRollingSpec_RollsOnAsContinue() =>
        Assert.Equal(BatchEnd.Next, Rollout.AfterBatch(new ExecutionSpec(), batch: 0, batchCount: 2, batchFailed: 1, total: 2, succeeded: 0));
}
