using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Steps;

/// <summary>Which of a step's counters a target's final status adds to.</summary>
public enum TargetTally
{
    Succeeded,

    /// <summary>Against the failure budget (and the batch's failures).</summary>
    Failed,

    /// <summary>Ended without an outcome of its own: cancelled, skipped, or stopped by the step's own stop.</summary>
    Ended,
}

/// <summary>
/// A decision to stop the step: it ends as <see cref="Final"/> with <see cref="Reason"/> once nothing runs; targets
/// that have not started end as <see cref="NotStarted"/>, and running ones are killed unless <see cref="KillRunning"/>
/// is false (then they finish on their own).
/// </summary>
public readonly record struct StepStop(ExecutionStatus Final, string Reason, TargetStatus NotStarted, bool KillRunning = true);

/// <summary>
/// The failure budget and the success policy: what each target's end means for its step. The reason texts are what
/// the API shows as the step's reason.
/// </summary>
public static class StepPolicy
{
    /// <summary>
    /// Which counter a final target adds to. A target stopped while the step itself is stopping ended by the step's
    /// decision, not by failing; stopped otherwise (the agent killed it unasked), it failed.
    /// </summary>
    public static TargetTally Tally(TargetStatus status, bool stepStopping) =>
        status == TargetStatus.Succeeded ? TargetTally.Succeeded
        : status.IsFailure() || status == TargetStatus.Stopped && !stepStopping ? TargetTally.Failed
        : TargetTally.Ended;

    /// <summary>
    /// After a target of a running step was counted: stop the step, or null to go on. In order: an exit code that
    /// fails the step (running targets are killed); one failure more than the budget (no new target starts, running
    /// ones finish, as bk-job does); the success policy met (the rest are skipped and killed).
    /// </summary>
    public static StepStop? AfterTarget(ExecutionSpec execution, int total, int succeeded, int failed, TargetReport report)
    {
        if (report.FailStep)
        {
            return new StepStop(ExecutionStatus.Failed, $"Exit code {report.ExitCode} on {report.Host} fails the step.", TargetStatus.Cancelled);
        }
        var budget = execution.FailureBudget.Of(total);
        if (failed > budget)
        {
            return new StepStop(ExecutionStatus.Failed, $"{failed} targets failed, more than the failure budget of {execution.FailureBudget} ({budget}).",
                TargetStatus.Cancelled, KillRunning: false);
        }
        if (execution.SuccessPolicy is { } policy && succeeded >= policy.Of(total))
        {
            return new StepStop(ExecutionStatus.Succeeded, $"{succeeded} targets succeeded, meeting the success policy of {policy}.", TargetStatus.Skipped);
        }
        return null;
    }

    /// <summary>
    /// The step's end once every batch is done: succeeded (failures within the budget), unless a success policy asks
    /// for more successes than there were. A null reason leaves the step's reason as it is.
    /// </summary>
    public static (ExecutionStatus Final, string? Reason) AtEnd(ExecutionSpec execution, int total, int succeeded) =>
        execution.SuccessPolicy is { } policy && succeeded < policy.Of(total)
            ? (ExecutionStatus.Failed, $"Only {succeeded} targets succeeded; the success policy needs {policy} ({policy.Of(total)}).")
            : (ExecutionStatus.Succeeded, null);
}
