using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Instances;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Tests.Instances;

public sealed class ControlRulesTests
{
    [Fact]
    public void NotFound_404NamingTheInstance() =>
        Assert.Equal(new Refusal(404, "Task instance 'ti-1' does not exist."), ControlRules.NotFound("ti-1"));

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void StepOutOfRange_NotAStepOfThePlan_400NamingTheField(int stepIndex) =>
        Assert.Equal(new Refusal(400, $"stepIndex: {stepIndex} is not a step of this plan (0..2)."), ControlRules.StepOutOfRange(stepIndex, 3));

    [Fact]
    public void StepOutOfRange_AStepOfThePlan_Null()
    {
        Assert.Null(ControlRules.StepOutOfRange(0, 3));
        Assert.Null(ControlRules.StepOutOfRange(2, 3));
    }

    [Theory]
    [InlineData(ExecutionStatus.Succeeded)]
    [InlineData(ExecutionStatus.Failed)]
    [InlineData(ExecutionStatus.Cancelled)]
    [InlineData(ExecutionStatus.Stopped)]
    public void CannotCancel_FinishedRun_409(ExecutionStatus run) =>
        Assert.Equal(new Refusal(409, $"Task instance 'ti-1' is {run}; only a running instance can be cancelled."), ControlRules.CannotCancel("ti-1", run));

    [Theory]
    [InlineData(ExecutionStatus.Scheduled)]
    [InlineData(ExecutionStatus.Running)]
    [InlineData(ExecutionStatus.Paused)]
    [InlineData(ExecutionStatus.WaitingForApproval)]
    [InlineData(ExecutionStatus.Stopping)]
    public void CannotCancel_RunNotFinished_Null(ExecutionStatus run) =>
        Assert.Null(ControlRules.CannotCancel("ti-1", run));

    [Theory]
    [InlineData(ExecutionStatus.Stopping, ExecutionStatus.Running, CancelKind.Again)]
    [InlineData(ExecutionStatus.Scheduled, ExecutionStatus.Pending, CancelKind.Unschedule)]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Running, CancelKind.StopStep)]
    [InlineData(ExecutionStatus.Paused, ExecutionStatus.Paused, CancelKind.StopStep)]
    [InlineData(ExecutionStatus.WaitingForApproval, ExecutionStatus.WaitingForApproval, CancelKind.StopStep)]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Pending, CancelKind.EndNow)] // its step's start not applied yet
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Succeeded, CancelKind.EndNow)] // between two steps
    public void Cancel_RunAndCurrentStep_HowTheRunEnds(ExecutionStatus run, ExecutionStatus current, CancelKind expected) =>
        Assert.Equal(expected, ControlRules.Cancel(run, current));

    [Fact]
    public void Cancel_PlanWithoutSteps_EndsNow() =>
        Assert.Equal(CancelKind.EndNow, ControlRules.Cancel(ExecutionStatus.Running, null));

    [Theory]
    [InlineData(false, null, "cancelled by alice")]
    [InlineData(true, "wrong version", "stopped by alice: wrong version")]
    public void CancelReason_WhoAndWhy(bool stop, string? reason, string expected) =>
        Assert.Equal(expected, ControlRules.CancelReason(new InstanceControl("r1", "alice", reason, stop)));

    [Theory]
    [InlineData(2, 1, ExecutionStatus.Running, ExecutionStatus.Pending, SkipKind.Ahead)]
    [InlineData(2, 1, ExecutionStatus.Paused, ExecutionStatus.Pending, SkipKind.Ahead)]
    [InlineData(1, 1, ExecutionStatus.Running, ExecutionStatus.Running, SkipKind.Running)]
    [InlineData(1, 1, ExecutionStatus.WaitingForApproval, ExecutionStatus.WaitingForApproval, SkipKind.Running)]
    [InlineData(1, 1, ExecutionStatus.Failed, ExecutionStatus.Failed, SkipKind.FailedAndResume)]
    [InlineData(2, 1, ExecutionStatus.Failed, ExecutionStatus.Pending, SkipKind.Refused)] // the run ended: nothing to skip ahead of
    [InlineData(0, 1, ExecutionStatus.Running, ExecutionStatus.Succeeded, SkipKind.Refused)] // an earlier step
    [InlineData(1, 1, ExecutionStatus.Running, ExecutionStatus.Pending, SkipKind.Refused)] // its start not applied yet
    [InlineData(1, 1, ExecutionStatus.Running, ExecutionStatus.Succeeded, SkipKind.Refused)] // done already
    [InlineData(1, 1, ExecutionStatus.Cancelled, ExecutionStatus.Cancelled, SkipKind.Refused)]
    public void Skip_StepAndRun_HowItTakesEffect(int stepIndex, int currentStep, ExecutionStatus run, ExecutionStatus step, SkipKind expected) =>
        Assert.Equal(expected, ControlRules.Skip(stepIndex, currentStep, run, step));

    [Fact]
    public void SkipRefusal_409WithBothStatuses() =>
        Assert.Equal(new Refusal(409, "Step 0 is Succeeded and the instance is Running; it cannot be skipped now."),
            ControlRules.SkipRefusal(0, ExecutionStatus.Running, ExecutionStatus.Succeeded));

    [Theory]
    [InlineData(1, 1, ExecutionStatus.Paused, false)]
    [InlineData(1, 1, ExecutionStatus.Running, true)]
    [InlineData(0, 1, ExecutionStatus.Paused, true)] // not the current step
    public void CannotContinue_OnlyTheCurrentPausedStep(int stepIndex, int currentStep, ExecutionStatus step, bool refused) =>
        Assert.Equal(refused ? new Refusal(409, $"Step {stepIndex} is not paused.") : null, ControlRules.CannotContinue(stepIndex, currentStep, step));

    private static StepDefinition Approval(params string[] approvers) =>
        new() { Name = "sign-off", Kind = StepKind.Approval, Approval = new ApprovalSpec { Approvers = approvers } };

    [Theory]
    [InlineData(0, ExecutionStatus.Running)]
    [InlineData(1, ExecutionStatus.WaitingForApproval)] // not the current step
    public void CannotDecide_StepNotWaitingForApproval_409(int stepIndex, ExecutionStatus step) =>
        Assert.Equal(new Refusal(409, $"Step {stepIndex} is not waiting for approval."), ControlRules.CannotDecide(stepIndex, 0, step, Approval(), "alice"));

    [Fact]
    public void CannotDecide_NotAmongTheApprovers_403() =>
        Assert.Equal(new Refusal(403, "'mallory' is not among the approvers of step 'sign-off'."),
            ControlRules.CannotDecide(0, 0, ExecutionStatus.WaitingForApproval, Approval("alice", "bob"), "mallory"));

    [Theory]
    [InlineData("ALICE")] // names compare ignoring case
    [InlineData("bob")]
    public void CannotDecide_AnApprover_Null(string by) =>
        Assert.Null(ControlRules.CannotDecide(0, 0, ExecutionStatus.WaitingForApproval, Approval("alice", "bob"), by));

    [Fact]
    public void CannotDecide_NoApproversListed_AnyoneDecides() =>
        Assert.Null(ControlRules.CannotDecide(0, 0, ExecutionStatus.WaitingForApproval, Approval(), "anyone"));

    [Theory]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Failed, 1)] // the run still goes on
    [InlineData(ExecutionStatus.Failed, ExecutionStatus.Running, 1)]
    [InlineData(ExecutionStatus.Succeeded, ExecutionStatus.Skipped, 0)] // skipped before it ever ran
    public void CannotRetry_NotAFinishedStepOfAFinishedRun_409(ExecutionStatus run, ExecutionStatus step, int attempt) =>
        Assert.Equal(new Refusal(409, $"Step 1 is {step} in a {run} instance; only a finished step of a finished instance can be retried."),
            ControlRules.CannotRetry(1, run, step, attempt, StepKind.Script));

    [Theory]
    [InlineData(ExecutionStatus.Failed, ExecutionStatus.Failed, 1)]
    [InlineData(ExecutionStatus.Succeeded, ExecutionStatus.Succeeded, 2)]
    [InlineData(ExecutionStatus.Cancelled, ExecutionStatus.Cancelled, 1)]
    [InlineData(ExecutionStatus.Succeeded, ExecutionStatus.Skipped, 1)] // skipped while it ran
    public void CannotRetry_FinishedStepOfAFinishedRun_Null(ExecutionStatus run, ExecutionStatus step, int attempt) =>
        Assert.Null(ControlRules.CannotRetry(1, run, step, attempt, StepKind.Script));

    [Fact]
    public void CannotRetry_ApprovalStep_409() =>
        Assert.Equal(new Refusal(409, "An approval step cannot be retried by attempt set."),
            ControlRules.CannotRetry(0, ExecutionStatus.Failed, ExecutionStatus.Failed, 1, StepKind.Approval));
}
