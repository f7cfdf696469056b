using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Containers;
using Orchestrator.Grains.Targets;

namespace Orchestrator.Grains.Tests.Targets;

public sealed class TargetStateRulesTests
{
    private static ContainerTargetState Running(int stepAttempt = 2) => new() { StepAttempt = stepAttempt, Run = 1, Status = TargetStatus.Running, Cluster = "eu-1" };

    [Fact]
    public void Cancel_BeforeTheStartArrived_RecordsTheAttemptCancelledWithTheStatusGiven()
    {
        var state = new HostTargetState();

        Assert.Equal(CancelCase.NotStarted, TargetStateRules.Cancel(state, 1, TargetStatus.Skipped));

        Assert.Equal((1, TargetStatus.Skipped), (state.CancelledAttempt, state.Status));
    }

    [Fact]
    public void Cancel_OfANewerAttemptThanTheRunningOne_IsNotStartedAndKeepsTheHighestAttempt()
    {
        var state = Running();
        state.CancelledAttempt = 5;

        Assert.Equal(CancelCase.NotStarted, TargetStateRules.Cancel(state, 3, TargetStatus.Cancelled));

        Assert.Equal((5, TargetStatus.Cancelled), (state.CancelledAttempt, state.Status));
    }

    [Theory]
    [InlineData(1, TargetStatus.Running)]    // an older attempt
    [InlineData(2, TargetStatus.Succeeded)]  // already ended
    [InlineData(2, TargetStatus.Stopping)]   // already being stopped
    public void Cancel_OlderOrEnding_IsIgnoredAndChangesNothing(int stepAttempt, TargetStatus status)
    {
        var state = Running();
        state.Status = status;

        Assert.Equal(CancelCase.Ignored, TargetStateRules.Cancel(state, stepAttempt, TargetStatus.Cancelled));

        Assert.Equal((0, status), (state.CancelledAttempt, state.Status));
    }

    [Fact]
    public void Cancel_Deleted_IsIgnoredEvenBeforeAStart() =>
        Assert.Equal(CancelCase.Ignored, TargetStateRules.Cancel(new HostTargetState { Deleted = true }, 1, TargetStatus.Cancelled));

    [Fact]
    public void Cancel_TheRunningAttempt_IsRunning() =>
        Assert.Equal(CancelCase.Running, TargetStateRules.Cancel(Running(), 2, TargetStatus.Cancelled));

    [Fact]
    public void Tombstone_KeepsWhatRefusesLateMessagesAndDropsTheRest()
    {
        var state = Running();
        state.CancelledAttempt = 1;
        state.Job = new ContainerJob { Name = "orch-job-1" };

        var tombstone = TargetStateRules.Tombstone(state, new ContainerTargetState { Cluster = state.Cluster });

        Assert.Equal(("eu-1", 2, 1, TargetStatus.Running, true), (tombstone.Cluster, tombstone.StepAttempt, tombstone.CancelledAttempt, tombstone.Status, tombstone.Deleted));
        Assert.Equal((0, (ContainerJob?)null), (tombstone.Run, tombstone.Job));
    }
}
