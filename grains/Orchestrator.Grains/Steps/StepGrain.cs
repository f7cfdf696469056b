using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Grains.Steps;

/// <summary>
/// One attempt at a time of one step: resolves its targets, rolls them out in batches under the parallelism limit,
/// counts reports against the failure budget and success policy, and ends only when every dispatched target is final.
/// </summary>
[GrainType("step")]
public sealed partial class StepGrain : Grain<StepState>, IStepGrain, IRemindable, IDeadLetterObserver
{
    private const string DeadlineReminder = "deadline";
    private const string ApprovalReminder = "approval-timeout";

    public async Task Start(StartStep command)
    {
        if (command.Attempt <= State.Attempt || State.Deletion is not null)
        {
            return; // a resend of an attempt already started, or the step was deleted
        }
        State = new StepState
        {
            Key = GrainKey,
            InstanceId = command.InstanceId,
            StepIndex = command.StepIndex,
            Definition = command.Definition,
            Context = command.Context,
            Attempt = command.Attempt,
            Status = ExecutionStatus.Running,
            StartedAt = TimeProvider.GetUtcNow(),
        };
        var definition = command.Definition;
        if (definition.Kind == StepKind.Approval)
        {
            State.Status = ExecutionStatus.WaitingForApproval;
            State.Reason = definition.Approval?.Message;
            if (definition.Approval?.Timeout is { } timeout)
            {
                State.ArmedReminders.Add(ApprovalReminder);
                await RegisterOrUpdateReminder(ApprovalReminder, SafeTime.Due(timeout), OneShotPeriod);
            }
            await ReportStatus();
            return;
        }

        var hosts = command.Retry is { } set ? await RetrySetAsync(set) : await ResolveTargetsAsync();
        if (hosts.Count == 0)
        {
            State.Reason = command.Retry is null ? "No hosts matched the step's targets." : $"The attempt set '{command.Retry}' is empty.";
            await Finalize(ExecutionStatus.Failed);
            return;
        }
        WriteTargets(hosts);
        State.Total = hosts.Count;
        State.BatchSizes = Rollout.BatchSizes(definition.Execution.Rolling, hosts.Count);
        await FetchHostListsAsync();
        if (definition.Execution.Deadline is { } deadline)
        {
            State.ArmedReminders.Add(DeadlineReminder);
            await RegisterOrUpdateReminder(DeadlineReminder, SafeTime.Due(deadline), OneShotPeriod);
        }
        if (definition.Kind == StepKind.FileDistribution && await StartCollectingAsync())
        {
            return;
        }
        await StartBatch(0);
    }

    public Task Cancel(string reason) => StopOrEnd(ExecutionStatus.Cancelled, reason, TargetStatus.Cancelled);

    public Task Skip(string reason) => StopOrEnd(ExecutionStatus.Skipped, reason, TargetStatus.Skipped);

    public async Task Continue(string by)
    {
        if (State.Status != ExecutionStatus.Paused || State.Stopping)
        {
            return;
        }
        await StartBatch(State.Batch + 1);
        await ReportStatus();
    }

    public async Task Decide(ApprovalDecision decision)
    {
        if (State.Status != ExecutionStatus.WaitingForApproval)
        {
            return;
        }
        State.Approvals.Add(new ApprovalRecord(decision.By, decision.Approve, decision.Reason, TimeProvider.GetUtcNow()));
        if (ApprovalRules.Decide(State.Approvals, decision, State.Definition!.Approval?.Required ?? 1) is (var final, var reason))
        {
            State.Reason = reason;
            await Finalize(final);
        }
    }

    public async Task OnTargetFinished(TargetReport report)
    {
        if (report.StepAttempt != State.Attempt || State.Status.IsFinal())
        {
            return;
        }
        if (report.Host.StartsWith('@'))
        {
            await OnSourceCollected(report);
            return;
        }
        State.Running--;
        Count(report);
        if (State.Stopping)
        {
            if (State.Running == 0)
            {
                await Finalize(State.PendingFinal);
            }
            return;
        }
        if (StepPolicy.AfterTarget(State.Definition!.Execution, State.Total, State.Succeeded, State.Failed, report) is { } stop)
        {
            await Stop(stop);
            return;
        }
        await DispatchMoreAsync();
        if (Rollout.BatchDone(State.Next, State.BatchEnd, State.Running))
        {
            await EndBatch();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        State.ArmedReminders.Remove(reminderName);
        await UnregisterReminder(reminderName);
        if (State.Status.IsFinal() || State.Stopping)
        {
            return;
        }
        if (reminderName == DeadlineReminder)
        {
            await Stop(new StepStop(ExecutionStatus.Failed, $"The step's deadline of {State.Definition!.Execution.Deadline} passed.", TargetStatus.Cancelled));
        }
        else if (reminderName == ApprovalReminder && State.Status == ExecutionStatus.WaitingForApproval)
        {
            var (final, reason) = ApprovalRules.TimedOut(State.Definition!.Approval?.OnTimeout);
            State.Reason = reason;
            await Finalize(final);
        }
    }

    public ValueTask<StepView?> GetAsync() => ValueTask.FromResult<StepView?>(State.Definition is null ? null : new StepView(
        GrainKey, State.Definition.Name, State.Status, State.Attempt, State.Total, State.Batch + 1, Math.Max(1, State.BatchSizes.Count),
        State.Next, State.Succeeded, State.Failed, State.Total - State.Next + State.Ended, State.Reason, [.. State.Approvals]));

    private static readonly TimeSpan OneShotPeriod = OneShot.Period;

    private void Count(TargetReport report)
    {
        switch (StepPolicy.Tally(report.Status, State.Stopping))
        {
            case TargetTally.Succeeded:
                State.Succeeded++;
                break;
            case TargetTally.Failed:
                State.Failed++;
                State.BatchFailed++;
                break;
            default:
                State.Ended++;
                break;
        }
        if (report.Outputs is { Count: > 0 } outputs)
        {
            foreach (var (name, value) in outputs)
            {
                State.FirstOutputs.TryAdd(name, value);
            }
            if (State.HostOutputs.Count < StepOutputs.MaxHostsWithOutputs)
            {
                State.HostOutputs[report.Host] = new Dictionary<string, string>(outputs);
            }
        }
    }

    private async Task StartBatch(int batch)
    {
        State.Batch = batch;
        State.BatchEnd = State.Next + State.BatchSizes[batch];
        State.BatchFailed = 0;
        State.Status = ExecutionStatus.Running;
        State.Reason = null;
        await DispatchMoreAsync();
    }

    private async Task EndBatch()
    {
        var end = Rollout.AfterBatch(State.Definition!.Execution, State.Batch, State.BatchSizes.Count, State.BatchFailed, State.Total, State.Succeeded);
        switch (end.Kind)
        {
            case BatchEndKind.Finish:
                State.Reason = end.Reason ?? State.Reason;
                await Finalize(end.Final);
                break;
            case BatchEndKind.Pause:
                State.Status = ExecutionStatus.Paused;
                State.Reason = end.Reason;
                await ReportStatus();
                break;
            default:
                await StartBatch(State.Batch + 1);
                break;
        }
    }

    private async Task StopOrEnd(ExecutionStatus final, string reason, TargetStatus notStarted)
    {
        if (State.Status.IsFinal() || State.Definition is null)
        {
            return;
        }
        if (State.Definition.Kind == StepKind.Approval)
        {
            State.Reason = reason;
            await Finalize(final);
            return;
        }
        await Stop(new StepStop(final, reason, notStarted));
    }

    /// <summary>Stops dispatching and cancels every target not final; the step ends once the running ones report.</summary>
    private async Task Stop(StepStop stop)
    {
        if (State.Stopping)
        {
            return;
        }
        State.Stopping = true;
        State.PendingFinal = stop.Final;
        State.Reason = stop.Reason;
        await CancelOpenTargetsAsync(stop.NotStarted, stop.KillRunning);
        if (State.Running == 0)
        {
            await Finalize(stop.Final);
            return;
        }
        State.Status = ExecutionStatus.Stopping;
        await ReportStatus();
    }

    private async Task Finalize(ExecutionStatus status)
    {
        State.Status = status;
        State.FinishedAt = TimeProvider.GetUtcNow();
        foreach (var name in State.ArmedReminders)
        {
            await UnregisterReminder(name);
        }
        State.ArmedReminders.Clear();
        await ReportStatus();
    }

    private Task ReportStatus()
    {
        var outputs = State.Status.IsFinal()
            ? new StepOutputs(
                new Dictionary<string, string>(State.FirstOutputs),
                State.HostOutputs.ToDictionary(h => h.Key, h => (IReadOnlyDictionary<string, string>)h.Value))
            : null;
        return GrainFactory.GetGrain<ITaskInstanceGrain>(State.InstanceId)
            .OnStepStatus(new StepStatusReport(State.StepIndex, State.Attempt, State.Status, State.Reason, outputs));
    }
}
