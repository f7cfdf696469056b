using Orchestrator.Cli.Progress;
using Orchestrator.Client;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Unit;

public sealed class ProgressTrackerTests
{
    private static InstanceProgress Snapshot(ExecutionStatus status, params (string Name, long Count)[] targets)
    {
        var step = new StepState(0, "deploy", StepKind.Script, status, 1, null, null, targets.ToDictionary(t => t.Name, t => t.Count));
        var instance = new TaskInstance { Id = "run1", PlanId = "p", Status = status, Steps = [step] };
        return new InstanceProgress("run1", status, 0, null, [step], instance);
    }

    [Fact]
    public void Update_CountsBuckets_FailuresOfEveryKindTogether()
    {
        var step = new ProgressTracker().Update(Snapshot(ExecutionStatus.Running,
            ("succeeded", 3), ("failed", 1), ("timedOut", 1), ("agentLost", 1), ("running", 2), ("dispatched", 1), ("pending", 4), ("skipped", 2)), DateTimeOffset.UnixEpoch)[0];

        Assert.Equal((3, 3, 3, 4, 2), (step.Succeeded, step.Failed, step.Running, step.Pending, step.Other));
        Assert.Equal(15, step.Total);
        Assert.Null(step.Batch); // the server reported no batch: none is made up from the running count
    }

    [Fact]
    public void Update_HalfDoneAfterTenSeconds_EtaTenSeconds()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var tracker = new ProgressTracker();
        Assert.Null(tracker.Update(Snapshot(ExecutionStatus.Running, ("running", 10), ("pending", 10)), clock.GetUtcNow())[0].Eta);

        clock.Advance(TimeSpan.FromSeconds(10));
        var step = tracker.Update(Snapshot(ExecutionStatus.Running, ("succeeded", 10), ("running", 10)), clock.GetUtcNow())[0];

        Assert.Equal(TimeSpan.FromSeconds(10), step.Eta);
    }

    [Fact]
    public void Update_FinishedStep_NoEta()
    {
        var step = new ProgressTracker().Update(Snapshot(ExecutionStatus.Succeeded, ("succeeded", 5)), DateTimeOffset.UnixEpoch)[0];

        Assert.Null(step.Eta);
        Assert.Null(step.Batch);
    }

    [Fact]
    public void Update_ServerReportsBatch_ShowsBatchOfCount()
    {
        var snapshot = Snapshot(ExecutionStatus.Running, ("running", 2));
        var step = snapshot.Steps[0] with { Batch = 2, BatchCount = 5 };

        var progress = new ProgressTracker().Update(snapshot with { Steps = [step] }, DateTimeOffset.UnixEpoch)[0];

        Assert.Equal("2/5", progress.Batch);
    }

    [Fact]
    public void Line_RunningStep_NamesEveryCountAndTheBatch()
    {
        var snapshot = Snapshot(ExecutionStatus.Running, ("succeeded", 1), ("running", 1));
        snapshot = snapshot with { Steps = [snapshot.Steps[0] with { Batch = 1, BatchCount = 2 }] };

        Assert.Equal("step 0 deploy: running succeeded=1 failed=0 running=1 pending=0 batch=1/2",
            ProgressFormat.Line(new ProgressTracker().Update(snapshot, DateTimeOffset.UnixEpoch)[0]));
    }

    [Theory]
    [InlineData(ExecutionStatus.Succeeded, 0)]
    [InlineData(ExecutionStatus.Failed, 1)]
    [InlineData(ExecutionStatus.Cancelled, 5)]
    [InlineData(ExecutionStatus.Stopped, 5)]
    public void ExitCodeOf_FinalStatus_DocumentedCode(ExecutionStatus status, int code) => Assert.Equal(code, RunFollower.ExitCodeOf(status));
}
