using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Parameters;
using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Grains.Instances;

/// <summary>
/// Runs a plan version's steps in order. Each status change is one guarded transition; the only way out of a final
/// status is an explicit step retry, which starts a new attempt of that step and goes on from there.
/// </summary>
[GrainType("instance")]
public sealed partial class TaskInstanceGrain : Grain<TaskInstanceState>, ITaskInstanceGrain, IRemindable, IDeadLetterObserver
{
    private const string StartReminder = "start";

    /// <summary>How early a delayed run's start reminder may fire and still start it (see <see cref="ReceiveReminder"/>).</summary>
    private static readonly TimeSpan StartTolerance = TimeSpan.FromSeconds(1);

    public async Task Start(StartInstance command)
    {
        if (State.Definition is not null || State.DeletedAt is not null)
        {
            return; // started already (a resend), or deleted since
        }
        var now = TimeProvider.GetUtcNow();
        State.PlanId = command.PlanId;
        State.PlanVersion = command.PlanVersion;
        State.Definition = command.Definition;
        State.Parameters = new Dictionary<string, string>(command.Parameters);
        State.By = command.By;
        State.CreatedAt = command.RequestedAt;
        State.Options = command.Options ?? new RunOptions();
        if (State.Options is { NotBefore: null, Delay: { } delay })
        {
            // The API refuses delays beyond PlanLimits.MaxDuration; a direct caller's absurd delay must not make this turn throw.
            State.Options = State.Options with { NotBefore = SafeTime.Add(now, delay < TimeSpan.Zero ? TimeSpan.Zero : delay) };
        }
        State.Steps = [.. command.Definition.Steps.Select(_ => new StepEntry())];
        State.Requests.Add(RequestResult.Done(command.RequestId, GrainKey));
        if (State.Options.NotBefore is { } notBefore && notBefore > now)
        {
            Record("schedule", null, command.By, $"starts at {notBefore:O}");
            SetStatus(ExecutionStatus.Scheduled);
            await RegisterOrUpdateReminder(StartReminder, SafeTime.Due(notBefore - now), OneShot.Period);
            return;
        }
        await Begin(command.By);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        switch (reminderName)
        {
            case StartReminder:
                await UnregisterReminder(StartReminder);
                if (State.Status != ExecutionStatus.Scheduled)
                {
                    break;
                }
                // A reminder waits at most PlanLimits.MaxDuration (SafeTime.Due), so a run due later is woken early:
                // it waits again for the rest, and never starts before its time. Less than StartTolerance early is on
                // time (stores keep due times in milliseconds), so a rounded due time cannot re-arm it for nothing.
                var now = TimeProvider.GetUtcNow();
                if (State.Options.NotBefore is { } notBefore && notBefore - now >= StartTolerance)
                {
                    Record("wait", null, RuntimeActor, $"woken before its time by the longest reminder wait; starts at {notBefore:O}");
                    await RegisterOrUpdateReminder(StartReminder, SafeTime.Due(notBefore - now), OneShot.Period);
                    break;
                }
                await Begin(State.By);
                break;
            case StopReminder:
                await UnregisterReminder(StopReminder);
                EndUnconfirmedStop();
                break;
            default:
                await OnRetentionReminder(reminderName);
                break;
        }
    }

    private Task Begin(string by)
    {
        State.StartedAt = TimeProvider.GetUtcNow();
        Record("start", null, by, null);
        SetStatus(ExecutionStatus.Running);
        return StartStepAt(0, null);
    }

    public Task Cancel(InstanceControl command)
    {
        if (Answered(command.RequestId))
        {
            return Task.CompletedTask;
        }
        if (State.Definition is null)
        {
            return Reply(command.RequestId, 404, $"Task instance '{GrainKey}' does not exist.");
        }
        if (State.Status.IsFinal())
        {
            return Reply(command.RequestId, 409, $"Task instance '{GrainKey}' is {State.Status}; only a running instance can be cancelled.");
        }
        Record(command.Stop ? "stop" : "cancel", null, command.By, command.Reason);
        var why = $"{(command.Stop ? "stopped" : "cancelled")} by {command.By}" + (command.Reason is null ? "" : $": {command.Reason}");
        if (State.Status == ExecutionStatus.Stopping)
        {
            // Told before: tell the step again, and see that the run ends even if it never confirms.
            RequestStop(State.Reason ?? why);
            return Reply(command.RequestId, 200, null);
        }
        State.EndAs = command.Stop ? ExecutionStatus.Stopped : ExecutionStatus.Cancelled;
        State.Reason = why;
        var step = State.Steps.Count > 0 ? State.Steps[State.CurrentStep] : null;
        if (State.Status == ExecutionStatus.Scheduled)
        {
            UnregisterReminder(StartReminder);
            Finish(State.EndAs, why);
        }
        else if (step is null || step.Status.IsFinal() || step.Status == ExecutionStatus.Pending)
        {
            SetStatus(ExecutionStatus.Stopping);
            Finish(State.EndAs, why);
        }
        else
        {
            SetStatus(ExecutionStatus.Stopping);
            RequestStop(why);
        }
        return Reply(command.RequestId, 200, null);
    }

    public Task SkipStep(StepControl command)
    {
        if (Answered(command.RequestId) || !CheckStep(command.RequestId, command.StepIndex))
        {
            return Task.CompletedTask;
        }
        var step = State.Steps[command.StepIndex];
        if (command.StepIndex > State.CurrentStep && !State.Status.IsFinal())
        {
            step.SkipRequested = true;
        }
        else if (command.StepIndex == State.CurrentStep && !step.Status.IsFinal() && !State.Status.IsFinal() && step.Status != ExecutionStatus.Pending)
        {
            StepGrain(command.StepIndex).Skip($"skipped by {command.By}" + (command.Reason is null ? "" : $": {command.Reason}"));
        }
        else if (command.StepIndex == State.CurrentStep && State.Status == ExecutionStatus.Failed && step.Status == ExecutionStatus.Failed)
        {
            // bk-job's "skip the failed step and go on": the instance resumes with the next step.
            step.Status = ExecutionStatus.Skipped;
            step.Reason = $"skipped after failing, by {command.By}";
            State.FinishedAt = null;
            State.Reason = null;
            SetStatus(ExecutionStatus.Running);
            Record("skip", command.StepIndex, command.By, command.Reason);
            State.Requests.Add(RequestResult.Done(command.RequestId));
            return StartStepAt(command.StepIndex + 1, null);
        }
        else
        {
            return Reply(command.RequestId, 409, $"Step {command.StepIndex} is {step.Status} and the instance is {State.Status}; it cannot be skipped now.");
        }
        Record("skip", command.StepIndex, command.By, command.Reason);
        return Reply(command.RequestId, 200, null);
    }

    public Task ContinueStep(StepControl command)
    {
        if (Answered(command.RequestId) || !CheckStep(command.RequestId, command.StepIndex))
        {
            return Task.CompletedTask;
        }
        if (command.StepIndex != State.CurrentStep || State.Steps[command.StepIndex].Status != ExecutionStatus.Paused)
        {
            return Reply(command.RequestId, 409, $"Step {command.StepIndex} is not paused.");
        }
        Record("continue", command.StepIndex, command.By, command.Reason);
        StepGrain(command.StepIndex).Continue(command.By);
        return Reply(command.RequestId, 200, null);
    }

    public Task Decide(ApprovalDecision command)
    {
        if (Answered(command.RequestId) || !CheckStep(command.RequestId, command.StepIndex))
        {
            return Task.CompletedTask;
        }
        var definition = State.Definition!.Steps[command.StepIndex];
        if (command.StepIndex != State.CurrentStep || State.Steps[command.StepIndex].Status != ExecutionStatus.WaitingForApproval)
        {
            return Reply(command.RequestId, 409, $"Step {command.StepIndex} is not waiting for approval.");
        }
        var approvers = definition.Approval?.Approvers ?? [];
        if (approvers.Count > 0 && !approvers.Contains(command.By, StringComparer.OrdinalIgnoreCase))
        {
            return Reply(command.RequestId, 403, $"'{command.By}' is not among the approvers of step '{definition.Name}'.");
        }
        Record(command.Approve ? "approve" : "reject", command.StepIndex, command.By, command.Reason);
        StepGrain(command.StepIndex).Decide(command);
        return Reply(command.RequestId, 200, null);
    }

    public Task RetryStep(RetryStep command)
    {
        if (Answered(command.RequestId) || !CheckStep(command.RequestId, command.StepIndex))
        {
            return Task.CompletedTask;
        }
        var step = State.Steps[command.StepIndex];
        var kind = State.Definition!.Steps[command.StepIndex].Kind;
        if (!State.Status.IsFinal() || !step.Status.IsFinal() || step.Status == ExecutionStatus.Skipped && step.Attempt == 0)
        {
            return Reply(command.RequestId, 409, $"Step {command.StepIndex} is {step.Status} in a {State.Status} instance; only a finished step of a finished instance can be retried.");
        }
        if (kind == StepKind.Approval)
        {
            return Reply(command.RequestId, 409, "An approval step cannot be retried by attempt set.");
        }
        Record("retry-" + command.Set.ToString().ToLowerInvariant(), command.StepIndex, command.By, null);
        for (var i = command.StepIndex + 1; i < State.Steps.Count; i++)
        {
            State.Steps[i].Status = ExecutionStatus.Pending;
            State.Steps[i].Reason = null;
        }
        State.FinishedAt = null;
        State.Reason = null;
        SetStatus(ExecutionStatus.Running);
        State.Requests.Add(RequestResult.Done(command.RequestId));
        return StartStepAt(command.StepIndex, command.Set);
    }

    public Task OnStepStatus(StepStatusReport report)
    {
        if (report.StepIndex < 0 || report.StepIndex >= State.Steps.Count)
        {
            return Task.CompletedTask;
        }
        var step = State.Steps[report.StepIndex];
        if (report.StepAttempt != step.Attempt || step.Status.IsFinal() || report.StepIndex != State.CurrentStep)
        {
            return Task.CompletedTask; // a late report of an earlier attempt
        }
        step.Status = report.Status;
        step.Reason = report.Reason;
        if (report.Outputs is not null)
        {
            step.Outputs = report.Outputs;
        }
        if (!report.Status.IsFinal())
        {
            // The instance shows a step waiting on people (approval, paused rollout); a step stopping on its own
            // (budget, deadline) is still running as far as the instance goes.
            if (State.Status != ExecutionStatus.Stopping && report.Status != ExecutionStatus.Stopping)
            {
                SetStatus(report.Status);
            }
            return Task.CompletedTask;
        }
        if (State.Status == ExecutionStatus.Stopping)
        {
            Finish(State.EndAs, State.Reason);
            return Task.CompletedTask;
        }
        var definition = State.Definition!.Steps[report.StepIndex];
        return report.Status switch
        {
            ExecutionStatus.Succeeded or ExecutionStatus.Skipped => StartStepAt(report.StepIndex + 1, null),
            ExecutionStatus.Failed when definition.ContinueOnError => StartStepAt(report.StepIndex + 1, null),
            _ => Finish(ExecutionStatus.Failed, $"step '{definition.Name}' {Camel(report.Status)}" + (report.Reason is { } reason ? $": {reason}" : "")),
        };
    }

    public ValueTask<TaskInstanceView?> GetAsync()
    {
        if (State.Definition is not { } definition)
        {
            return ValueTask.FromResult<TaskInstanceView?>(null);
        }
        var steps = State.Steps.Select((s, i) => new StepSummary(i, definition.Steps[i].Name, definition.Steps[i].Kind, s.Status, s.Attempt, s.Reason, s.Outputs.First)).ToList();
        return ValueTask.FromResult<TaskInstanceView?>(new TaskInstanceView(
            GrainKey, State.PlanId, State.PlanVersion, definition.Name, State.Status, State.CurrentStep,
            PlanParameters.Masked(definition, State.Parameters), steps, State.CreatedAt, State.StartedAt, State.FinishedAt, State.By, [.. State.Actions])
        {
            NotBefore = State.Options.NotBefore,
            Schedule = State.Options.Schedule,
            DueTime = State.Options.DueTime,
            Labels = State.Options.Labels,
            Revision = State.Revision,
            Reason = State.Reason,
        });
    }

    public ValueTask<RequestResult?> GetRequestResultAsync(string requestId) => ValueTask.FromResult(State.Requests.Find(requestId));
}
