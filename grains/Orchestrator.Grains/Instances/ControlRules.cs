using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Instances;

/// <summary>A control command refused: the status the API answers with and the text it shows.</summary>
public readonly record struct Refusal(int Code, string Message);

/// <summary>How a cancel (or stop) accepted ends the run.</summary>
public enum CancelKind
{
    /// <summary>It is stopping already: tell the step again.</summary>
    Again,

    /// <summary>It waits for its start time: it ends at once, and its start reminder goes.</summary>
    Unschedule,

    /// <summary>No step runs (none started yet, or between two): it ends at once.</summary>
    EndNow,

    /// <summary>A step runs: the run stops, and ends when the step confirms.</summary>
    StopStep,
}

/// <summary>How a skip accepted takes effect.</summary>
public enum SkipKind
{
    Refused,

    /// <summary>A later step: skipped when its turn comes.</summary>
    Ahead,

    /// <summary>The running step: told to skip, it stops its targets and ends as skipped.</summary>
    Running,

    /// <summary>The step the run failed on: it becomes skipped and the run goes on with the next (bk-job's "skip and go on").</summary>
    FailedAndResume,
}

/// <summary>Which control commands a run takes in which state, and the refusals the API shows otherwise.</summary>
public static class ControlRules
{
    public static Refusal NotFound(string instanceId) => new(404, $"Task instance '{instanceId}' does not exist.");

    public static Refusal? StepOutOfRange(int stepIndex, int stepCount) => stepIndex < 0 || stepIndex >= stepCount
        ? new Refusal(400, $"stepIndex: {stepIndex} is not a step of this plan (0..{stepCount - 1}).")
        : null;

    /// <summary>Only a run that has not ended can be cancelled or stopped.</summary>
    public static Refusal? CannotCancel(string instanceId, ExecutionStatus run) => run.IsFinal()
        ? new Refusal(409, $"Task instance '{instanceId}' is {run}; only a running instance can be cancelled.")
        : null;

    /// <summary>How an accepted cancel ends a run that is <paramref name="run"/>, its current step being <paramref name="current"/> (null: no step).</summary>
    public static CancelKind Cancel(ExecutionStatus run, ExecutionStatus? current) =>
        run == ExecutionStatus.Stopping ? CancelKind.Again
        : run == ExecutionStatus.Scheduled ? CancelKind.Unschedule
        : current is not { } step || step.IsFinal() || step == ExecutionStatus.Pending ? CancelKind.EndNow
        : CancelKind.StopStep;

    /// <summary>Why a cancelled or stopped run ended, as the run and its step show it.</summary>
    public static string CancelReason(InstanceControl command) =>
        $"{(command.Stop ? "stopped" : "cancelled")} by {command.By}" + (command.Reason is null ? "" : $": {command.Reason}");

    /// <summary>
    /// Skipping step <paramref name="stepIndex"/> (a valid index) of a run that is <paramref name="run"/>, at step
    /// <paramref name="currentStep"/>: a later step while the run goes on; the current step while it runs (started and
    /// not final); or the step a failed run ended on, which resumes the run.
    /// </summary>
    public static SkipKind Skip(int stepIndex, int currentStep, ExecutionStatus run, ExecutionStatus step) =>
        stepIndex > currentStep && !run.IsFinal() ? SkipKind.Ahead
        : stepIndex == currentStep && !step.IsFinal() && !run.IsFinal() && step != ExecutionStatus.Pending ? SkipKind.Running
        : stepIndex == currentStep && run == ExecutionStatus.Failed && step == ExecutionStatus.Failed ? SkipKind.FailedAndResume
        : SkipKind.Refused;

    public static Refusal SkipRefusal(int stepIndex, ExecutionStatus run, ExecutionStatus step) =>
        new(409, $"Step {stepIndex} is {step} and the instance is {run}; it cannot be skipped now.");

    /// <summary>Only the current step, paused between batches, can be continued.</summary>
    public static Refusal? CannotContinue(int stepIndex, int currentStep, ExecutionStatus step) =>
        stepIndex != currentStep || step != ExecutionStatus.Paused ? new Refusal(409, $"Step {stepIndex} is not paused.") : null;

    /// <summary>
    /// Only the current step, waiting for approval, takes a decision, and only from one of its approvers (names
    /// compared ignoring case, or a listed <c>role:&lt;name&gt;</c> it holds; none listed means anyone).
    /// </summary>
    public static Refusal? CannotDecide(int stepIndex, int currentStep, ExecutionStatus step, StepDefinition definition, string by,
        IReadOnlyList<string>? roles = null)
    {
        if (stepIndex != currentStep || step != ExecutionStatus.WaitingForApproval)
        {
            return new Refusal(409, $"Step {stepIndex} is not waiting for approval.");
        }
        return !Steps.ApprovalRules.MayDecide(definition.Approval?.Approvers ?? [], by, roles)
            ? new Refusal(403, $"'{by}' is not among the approvers of step '{definition.Name}'.")
            : null;
    }

    /// <summary>
    /// Only a finished step of a finished run can be retried — not one skipped before it ever ran (attempt 0), and not
    /// an approval step.
    /// </summary>
    public static Refusal? CannotRetry(int stepIndex, ExecutionStatus run, ExecutionStatus step, int stepAttempt, StepKind kind)
    {
        if (!run.IsFinal() || !step.IsFinal() || step == ExecutionStatus.Skipped && stepAttempt == 0)
        {
            return new Refusal(409, $"Step {stepIndex} is {step} in a {run} instance; only a finished step of a finished instance can be retried.");
        }
        return kind == StepKind.Approval ? new Refusal(409, "An approval step cannot be retried by attempt set.") : null;
    }
}
