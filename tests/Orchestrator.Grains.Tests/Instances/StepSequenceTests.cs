using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Instances;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Tests.Instances;

public sealed class StepSequenceTests
{
    private static List<StepEntry> Steps(params bool[] skipRequested) => [.. skipRequested.Select(skip => new StepEntry { SkipRequested = skip })];

    [Fact]
    public void NextToStart_NothingSkipped_TheStepAsked() =>
        Assert.Equal(1, StepSequence.NextToStart(Steps(false, false, false), 1, null));

    [Fact]
    public void NextToStart_StepsSkippedAhead_ArePassedOver() =>
        Assert.Equal(3, StepSequence.NextToStart(Steps(false, true, true, false, true), 1, null));

    [Fact]
    public void NextToStart_EveryStepLeftSkipped_NoneLeft() =>
        Assert.Equal(3, StepSequence.NextToStart(Steps(false, true, true), 1, null));

    [Fact]
    public void NextToStart_PastTheLastStep_NoneLeft() =>
        Assert.Equal(2, StepSequence.NextToStart(Steps(false, false), 2, null));

    [Fact]
    public void NextToStart_Retry_RunsTheStepItNamesEvenIfSkipRequested() =>
        Assert.Equal(1, StepSequence.NextToStart(Steps(false, true, true), 1, AttemptSet.Failed));

    [Theory]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.WaitingForApproval, true)]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Paused, true)]
    [InlineData(ExecutionStatus.Paused, ExecutionStatus.Running, true)] // continued
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Stopping, false)] // a step stopping on its own still runs for the run
    [InlineData(ExecutionStatus.Stopping, ExecutionStatus.Paused, false)] // a stopping run stays so
    public void RunShows_StepStatusNotFinal_WhetherTheRunTakesIt(ExecutionStatus run, ExecutionStatus step, bool expected) =>
        Assert.Equal(expected, StepSequence.RunShows(run, step));

    [Theory]
    [InlineData(ExecutionStatus.Succeeded, false)]
    [InlineData(ExecutionStatus.Skipped, false)]
    [InlineData(ExecutionStatus.Failed, true)]
    public void RunFailure_StepEndedSoTheRunGoesOn_Null(ExecutionStatus status, bool continueOnError) =>
        Assert.Null(StepSequence.RunFailure(new StepDefinition { Name = "build", ContinueOnError = continueOnError }, status, "why"));

    [Theory]
    [InlineData(ExecutionStatus.Failed, false, "2 targets failed", "step 'build' failed: 2 targets failed")]
    [InlineData(ExecutionStatus.Failed, false, null, "step 'build' failed")]
    [InlineData(ExecutionStatus.Cancelled, true, "the run ended", "step 'build' cancelled: the run ended")] // continueOnError is for failures only
    [InlineData(ExecutionStatus.Stopped, false, null, "step 'build' stopped")]
    public void RunFailure_StepEndedOtherwise_TheRunFailsWithTheStepsReason(ExecutionStatus status, bool continueOnError, string? reason, string expected) =>
        Assert.Equal(expected, StepSequence.RunFailure(new StepDefinition { Name = "build", ContinueOnError = continueOnError }, status, reason));
}
