using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Telemetry;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Requests;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parameters;
using Orchestrator.Runtime.Durable;

namespace Orchestrator.Grains.Instances;

/// <summary>
/// Runs a plan version's steps in order. Each status change is one guarded transition; the only way out of a final
/// status is an explicit step retry, which starts a new attempt of that step and goes on from there.
/// </summary>
[GrainType("instance")]
public sealed partial class TaskInstanceGrain : RequestGrain<TaskInstanceState>, ITaskInstanceGrain
{
    private const string StartReminder = "start";

    /// <summary>How early a delayed run's start wake-up may fire and still start it (see <see cref="OnWakeUpAsync"/>).</summary>
    private static readonly TimeSpan StartTolerance = TimeSpan.FromSeconds(1);

    public Task Start(StartInstance command)
    {
        if (State.Definition is not null || State.DeletedAt is not null)
        {
            return Task.CompletedTask; // started already (a resend), or deleted since
        }
        var now = Clock.GetUtcNow();
        State.PlanId = command.PlanId;
        State.PlanVersion = command.PlanVersion;
        State.Definition = command.Definition;
        State.Namespace = Namespaces.Of(command.Definition.Namespace);
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
        Answer(RequestResult.Done(command.RequestId, GrainKey));
        if (State.Options.NotBefore is { } notBefore && notBefore > now)
        {
            Record("schedule", null, command.By, $"starts at {notBefore:O}");
            SetStatus(ExecutionStatus.Scheduled);
            ArmWakeUp(StartReminder, SafeTime.After(now, notBefore - now));
            return Task.CompletedTask;
        }
        return Begin(command.By);
    }

    /// <summary>The instance's durable wake-ups (no reminder rows): a delayed start, the stop backstop, retention.</summary>
    protected override Task OnWakeUpAsync(string name)
    {
        switch (name)
        {
            case StartReminder:
                if (State.Status != ExecutionStatus.Scheduled)
                {
                    break;
                }
                // A wake-up waits at most PlanLimits.MaxDuration (SafeTime.After), so a run due later is woken early:
                // it waits again for the rest, and never starts before its time. Less than StartTolerance early is on
                // time (stores keep due times in milliseconds), so a rounded due time cannot re-arm it for nothing.
                var now = Clock.GetUtcNow();
                if (State.Options.NotBefore is { } notBefore && notBefore - now >= StartTolerance)
                {
                    Record("wait", null, RuntimeActor, $"woken before its time by the longest reminder wait; starts at {notBefore:O}");
                    ArmWakeUp(StartReminder, SafeTime.After(now, notBefore - now));
                    break;
                }
                return Begin(State.By);
            case StopReminder:
                EndUnconfirmedStop();
                break;
            default:
                OnRetentionWakeUp(name);
                break;
        }
        return Task.CompletedTask;
    }

    private Task Begin(string by)
    {
        // The run's span: under the request that started it, or a trace of its own (a scheduled run) when tracing is on.
        using var span = State.Options.TraceParent is { } parent ? RunTrace.Start("orchestrator.instance.start", parent) : RunTrace.StartRoot("orchestrator.instance.start");
        span?.SetTag("orchestrator.instance", GrainKey);
        span?.SetTag("orchestrator.plan", State.PlanId);
        State.TraceParent = RunTrace.Id(span, State.Options.TraceParent);
        State.StartedAt = Clock.GetUtcNow();
        Record("start", null, by, null);
        SetStatus(ExecutionStatus.Running);
        return StartStepAt(0, null);
    }

    public Task Cancel(InstanceControl command) => Once(command.RequestId, () => CancelNow(command));

    private Task CancelNow(InstanceControl command)
    {
        if (Answered(command.RequestId))
        {
            return Task.CompletedTask;
        }
        if ((State.Definition is null ? ControlRules.NotFound(GrainKey) : ControlRules.CannotCancel(GrainKey, State.Status)) is { } refusal)
        {
            return Refuse(command.RequestId, refusal);
        }
        Record(command.Stop ? "stop" : "cancel", null, command.By, command.Reason);
        var why = ControlRules.CancelReason(command);
        var kind = ControlRules.Cancel(State.Status, State.Steps.Count > 0 ? State.Steps[State.CurrentStep].Status : null);
        if (kind == CancelKind.Again)
        {
            // Told before: tell the step again, and see that the run ends even if it never confirms.
            RequestStop(State.Reason ?? why);
            return Reply(command.RequestId, 200, null);
        }
        State.EndAs = command.Stop ? ExecutionStatus.Stopped : ExecutionStatus.Cancelled;
        State.Reason = why;
        if (kind == CancelKind.Unschedule)
        {
            DisarmWakeUp(StartReminder);
            Finish(State.EndAs, why);
        }
        else
        {
            SetStatus(ExecutionStatus.Stopping);
            if (kind == CancelKind.EndNow)
            {
                Finish(State.EndAs, why);
            }
            else
            {
                RequestStop(why);
            }
        }
        return Reply(command.RequestId, 200, null);
    }

    public Task SkipStep(StepControl command) => Once(command.RequestId, () => SkipStepNow(command));

    private Task SkipStepNow(StepControl command)
    {
        if (Answered(command.RequestId) || !CheckStep(command.RequestId, command.StepIndex))
        {
            return Task.CompletedTask;
        }
        var step = State.Steps[command.StepIndex];
        var kind = ControlRules.Skip(command.StepIndex, State.CurrentStep, State.Status, step.Status);
        if (kind == SkipKind.Refused)
        {
            return Refuse(command.RequestId, ControlRules.SkipRefusal(command.StepIndex, State.Status, step.Status));
        }
        if (kind == SkipKind.Ahead)
        {
            step.SkipRequested = true;
        }
        else if (kind == SkipKind.Running)
        {
            StepGrain(command.StepIndex).Skip($"skipped by {command.By}" + (command.Reason is null ? "" : $": {command.Reason}"));
        }
        else
        {
            // bk-job's "skip the failed step and go on": the instance resumes with the next step.
            step.Status = ExecutionStatus.Skipped;
            step.Reason = $"skipped after failing, by {command.By}";
            State.FinishedAt = null;
            State.Reason = null;
            SetStatus(ExecutionStatus.Running);
            Record("skip", command.StepIndex, command.By, command.Reason);
            Answer(RequestResult.Done(command.RequestId));
            return StartStepAt(command.StepIndex + 1, null);
        }
        Record("skip", command.StepIndex, command.By, command.Reason);
        return Reply(command.RequestId, 200, null);
    }

    public Task ContinueStep(StepControl command) => Once(command.RequestId, () => ContinueStepNow(command));

    private Task ContinueStepNow(StepControl command)
    {
        if (Answered(command.RequestId) || !CheckStep(command.RequestId, command.StepIndex))
        {
            return Task.CompletedTask;
        }
        if (ControlRules.CannotContinue(command.StepIndex, State.CurrentStep, State.Steps[command.StepIndex].Status) is { } refusal)
        {
            return Refuse(command.RequestId, refusal);
        }
        Record("continue", command.StepIndex, command.By, command.Reason);
        StepGrain(command.StepIndex).Continue(command.By);
        return Reply(command.RequestId, 200, null);
    }

    public Task Decide(ApprovalDecision command) => Once(command.RequestId, () => DecideNow(command));

    private Task DecideNow(ApprovalDecision command)
    {
        if (Answered(command.RequestId) || !CheckStep(command.RequestId, command.StepIndex))
        {
            return Task.CompletedTask;
        }
        if (ControlRules.CannotDecide(command.StepIndex, State.CurrentStep, State.Steps[command.StepIndex].Status, State.Definition!.Steps[command.StepIndex], command.By, command.ByRoles)
            is { } refusal)
        {
            return Refuse(command.RequestId, refusal);
        }
        Record(command.Approve ? "approve" : "reject", command.StepIndex, command.By, command.Reason);
        StepGrain(command.StepIndex).Decide(command);
        return Reply(command.RequestId, 200, null);
    }

    public Task RetryStep(RetryStep command) => Once(command.RequestId, () => RetryStepNow(command));

    private Task RetryStepNow(RetryStep command)
    {
        if (Answered(command.RequestId) || !CheckStep(command.RequestId, command.StepIndex))
        {
            return Task.CompletedTask;
        }
        var step = State.Steps[command.StepIndex];
        if (ControlRules.CannotRetry(command.StepIndex, State.Status, step.Status, step.Attempt, State.Definition!.Steps[command.StepIndex].Kind) is { } refusal)
        {
            return Refuse(command.RequestId, refusal);
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
        Answer(RequestResult.Done(command.RequestId));
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
            if (StepSequence.RunShows(State.Status, report.Status))
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
        return StepSequence.RunFailure(State.Definition!.Steps[report.StepIndex], report.Status, report.Reason) is { } failure
            ? Finish(ExecutionStatus.Failed, failure)
            : StartStepAt(report.StepIndex + 1, null);
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
            Namespace = Namespaces.Of(State.Namespace),
        });
    }

    public ValueTask<string?> GetNamespaceAsync() =>
        ValueTask.FromResult(State.Definition is null ? null : Namespaces.Of(State.Namespace));

    public ValueTask<RequestResult?> GetRequestResultAsync(string requestId) => FindRequestAsync(requestId);
}
