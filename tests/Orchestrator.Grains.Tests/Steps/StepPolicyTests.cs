using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Steps;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Tests.Steps;

public sealed class StepPolicyTests
{
    private static TargetReport Report(TargetStatus status, bool failStep = false, int? exitCode = null) =>
        new("web-1", 1, status, exitCode, failStep, null);

    [Theory]
    [InlineData(TargetStatus.Succeeded, false, TargetTally.Succeeded)]
    [InlineData(TargetStatus.Succeeded, true, TargetTally.Succeeded)]
    [InlineData(TargetStatus.Failed, false, TargetTally.Failed)]
    [InlineData(TargetStatus.TimedOut, false, TargetTally.Failed)]
    [InlineData(TargetStatus.AgentOffline, false, TargetTally.Failed)]
    [InlineData(TargetStatus.AgentLost, true, TargetTally.Failed)]
    [InlineData(TargetStatus.Stopped, false, TargetTally.Failed)] // killed, but not by the step
    [InlineData(TargetStatus.Stopped, true, TargetTally.Ended)] // killed by the step's own stop
    [InlineData(TargetStatus.Cancelled, false, TargetTally.Ended)]
    [InlineData(TargetStatus.Skipped, true, TargetTally.Ended)]
    public void Tally_FinalStatus_TheCounterItAddsTo(TargetStatus status, bool stepStopping, TargetTally expected) =>
        Assert.Equal(expected, StepPolicy.Tally(status, stepStopping));

    [Fact]
    public void AfterTarget_WithinTheBudget_GoesOn() =>
        Assert.Null(StepPolicy.AfterTarget(new ExecutionSpec { FailureBudget = new Quantity(1, false) }, total: 5, succeeded: 0, failed: 1, Report(TargetStatus.Failed)));

    [Fact]
    public void AfterTarget_OneFailureBeyondTheBudget_FailsLettingRunningTargetsFinish() =>
        Assert.Equal(
            new StepStop(ExecutionStatus.Failed, "2 targets failed, more than the failure budget of 1 (1).", TargetStatus.Cancelled, KillRunning: false),
            StepPolicy.AfterTarget(new ExecutionSpec { FailureBudget = new Quantity(1, false) }, total: 5, succeeded: 0, failed: 2, Report(TargetStatus.Failed)));

    [Fact]
    public void AfterTarget_DefaultBudget_TheFirstFailureFails() =>
        Assert.Equal(
            "1 targets failed, more than the failure budget of 0 (0).",
            StepPolicy.AfterTarget(new ExecutionSpec(), total: 3, succeeded: 1, failed: 1, Report(TargetStatus.TimedOut))?.Reason);

    [Theory]
    [InlineData(25, 3, null)] // 10% of 25 is 2.5, rounded up to 3
    [InlineData(25, 4, "4 targets failed, more than the failure budget of 10% (3).")]
    public void AfterTarget_PercentBudget_OfAllTargetsRoundedUp(int total, int failed, string? reason) =>
        Assert.Equal(reason, StepPolicy.AfterTarget(new ExecutionSpec { FailureBudget = new Quantity(10, true) }, total, 0, failed, Report(TargetStatus.Failed))?.Reason);

    [Fact]
    public void AfterTarget_ExitCodeFailsTheStep_FailsKillingRunningTargets() =>
        Assert.Equal(
            new StepStop(ExecutionStatus.Failed, "Exit code 2 on web-1 fails the step.", TargetStatus.Cancelled, KillRunning: true),
            StepPolicy.AfterTarget(new ExecutionSpec { FailureBudget = new Quantity(5, false) }, total: 5, succeeded: 0, failed: 1, Report(TargetStatus.Failed, failStep: true, exitCode: 2)));

    [Fact]
    public void AfterTarget_ExitCodeFailsTheStepAndBudgetExceeded_TheExitCodeIsTheReason() =>
        Assert.StartsWith("Exit code 7", StepPolicy.AfterTarget(new ExecutionSpec(), total: 5, succeeded: 0, failed: 3, Report(TargetStatus.Failed, failStep: true, exitCode: 7))?.Reason);

    [Fact]
    public void AfterTarget_SuccessPolicyMet_SucceedsSkippingTheRest() =>
        Assert.Equal(
            new StepStop(ExecutionStatus.Succeeded, "2 targets succeeded, meeting the success policy of 2.", TargetStatus.Skipped),
            StepPolicy.AfterTarget(new ExecutionSpec { SuccessPolicy = new Quantity(2, false) }, total: 3, succeeded: 2, failed: 0, Report(TargetStatus.Succeeded)));

    [Fact]
    public void AfterTarget_SuccessPolicyNotMetYet_GoesOn() =>
        Assert.Null(StepPolicy.AfterTarget(new ExecutionSpec { SuccessPolicy = new Quantity(50, true) }, total: 5, succeeded: 2, failed: 0, Report(TargetStatus.Succeeded)));

    [Fact]
    public void AfterTarget_BudgetExceededAndSuccessPolicyMet_FailureWins() =>
        Assert.Equal(ExecutionStatus.Failed, StepPolicy.AfterTarget(new ExecutionSpec { SuccessPolicy = new Quantity(1, false) }, total: 3, succeeded: 2, failed: 1, Report(TargetStatus.Failed))?.Final);

    [Fact]
    public void AtEnd_NoSuccessPolicy_SucceedsKeepingTheReason() =>
        Assert.Equal((ExecutionStatus.Succeeded, (string?)null), StepPolicy.AtEnd(new ExecutionSpec { FailureBudget = new Quantity(3, false) }, total: 4, succeeded: 1));

    [Theory]
    [InlineData(3, 3, ExecutionStatus.Succeeded, null)]
    [InlineData(3, 2, ExecutionStatus.Failed, "Only 2 targets succeeded; the success policy needs 3 (3).")]
    [InlineData(2, 2, ExecutionStatus.Failed, "Only 2 targets succeeded; the success policy needs 3 (3).")] // more than the targets: never met
    public void AtEnd_SuccessPolicy_FailsShortOfIt(int total, int succeeded, ExecutionStatus final, string? reason) =>
        Assert.Equal((final, reason), StepPolicy.AtEnd(new ExecutionSpec { SuccessPolicy = new Quantity(3, false) }, total, succeeded));
}
