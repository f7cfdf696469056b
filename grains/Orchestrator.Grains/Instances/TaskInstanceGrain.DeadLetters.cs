using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Grains.Common;
using Orchestrator.Runtime.Durable;

namespace Orchestrator.Grains.Instances;

/// <summary>
/// A message of this instance that could not be applied (it kept throwing, and was parked) ends the run rather than
/// leaving it waiting: a run that cannot go on fails with the reason, a stop that could not be applied still stops
/// it, and a command that failed gets an answer. The parked message stays listed with the run.
/// </summary>
public sealed partial class TaskInstanceGrain
{
    public Task OnDeadLetter(DeadLetterNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var failure = $"{notice.Reminder ?? notice.Method} could not be applied ({notice.Error})";
        if (State.DeletedAt is not null)
        {
            return Task.CompletedTask;
        }
        if (State.Definition is null)
        {
            return notice.Argument<StartInstance>() is { } start ? StartFailed(start, failure) : Task.CompletedTask;
        }
        AnswerFailedCommand(notice, failure);
        // What moves the run on: its start, its steps' reports, its wake-ups, and a cancel (which must end it). An
        // operator's other commands failed on their own; the run goes on as it was, and the caller heard why.
        var movesTheRun = notice.Method is nameof(Start) or nameof(OnStepStatus) or nameof(Cancel) || notice.Reminder is not null;
        if (State.Status.IsFinal() || !movesTheRun)
        {
            Record("dead-letter", null, RuntimeActor, failure);
            return Task.CompletedTask;
        }
        Record("dead-letter", State.CurrentStep, RuntimeActor, failure);
        // A cancel or stop was asked for (now, or before): the run ends as asked, whatever failed. Otherwise it fails.
        var control = notice.Argument<InstanceControl>();
        if (State.Status != ExecutionStatus.Stopping && control is not null)
        {
            State.EndAs = control.Stop ? ExecutionStatus.Stopped : ExecutionStatus.Cancelled;
            State.Reason = ControlRules.CancelReason(control);
        }
        var stopped = State.Status == ExecutionStatus.Stopping || control is not null;
        if (State.Status == ExecutionStatus.Scheduled)
        {
            DisarmWakeUp(StartReminder);
        }
        else if (State.Steps.Count > 0 && !State.Steps[State.CurrentStep].Status.IsFinal())
        {
            // Stop the step, should it still be able to: its targets then stop too. Its report comes too late to matter.
            var entry = State.Steps[State.CurrentStep];
            entry.Status = stopped ? State.EndAs : ExecutionStatus.Failed;
            entry.Reason = failure;
            StepGrain(State.CurrentStep).Cancel($"the run ended: {failure}");
        }
        return stopped
            ? Finish(State.EndAs, $"{State.Reason ?? EnumText.Camel(State.EndAs)}; {failure}")
            : Finish(ExecutionStatus.Failed, $"the run could not go on: {failure}");
    }

    /// <summary>The start itself could not be applied: the instance the API accepted shows as failed, with why.</summary>
    private Task StartFailed(StartInstance start, string failure)
    {
        State.PlanId = start.PlanId;
        State.PlanVersion = start.PlanVersion;
        State.Definition = start.Definition;
        State.Namespace = Namespaces.Of(start.Definition.Namespace);
        State.Parameters = new Dictionary<string, string>(start.Parameters);
        State.By = start.By;
        State.CreatedAt = start.RequestedAt;
        State.Options = start.Options ?? new RunOptions();
        State.Steps = [.. start.Definition.Steps.Select(_ => new StepEntry())];
        Answer(RequestResult.Done(start.RequestId, GrainKey));
        Record("dead-letter", null, RuntimeActor, failure);
        return Finish(ExecutionStatus.Failed, $"the run could not start: {failure}");
    }

    /// <summary>
    /// A control command that could not be applied gets an answer, so that its caller is not left waiting: a cancel or
    /// stop succeeds (the run ends as asked, see <see cref="OnDeadLetter"/>), any other command fails.
    /// </summary>
    private void AnswerFailedCommand(DeadLetterNotice notice, string failure)
    {
        var requestId = notice.Arguments.FirstOrDefault() switch
        {
            InstanceControl c => c.RequestId,
            StepControl c => c.RequestId,
            ApprovalDecision c => c.RequestId,
            RetryStep c => c.RequestId,
            DeleteInstance c => c.RequestId,
            _ => null,
        };
        if (requestId is null || Answered(requestId))
        {
            return;
        }
        Answer(notice.Argument<InstanceControl>() is not null && !State.Status.IsFinal()
            ? RequestResult.Done(requestId)
            : RequestResult.Fail(requestId, 500, $"The command could not be applied: {failure}"));
    }
}
