using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Telemetry;

namespace Orchestrator.Grains.Steps;

/// <summary>
/// One attempt at a time of one step: resolves its targets, rolls them out in batches under the parallelism limit,
/// counts reports against the failure budget and success policy, and ends only when every dispatched target is final.
/// Its timers (deadline, approval timeout) are wake-ups; starts and cancels of its targets go out through delivery loops
/// of its own (StepGrain.Delivery.cs), never as thousands of outbox messages.
/// </summary>
[GrainType("step")]
public sealed partial class StepGrain : DurableGrain<StepState>, IStepGrain
{
    private const string DeadlineWakeUp = "deadline";
    private const string ApprovalWakeUp = "approval-timeout";

    public async Task Start(StartStep command)
    {
        if (command.Attempt <= State.Attempt || State.Deletion is not null)
        {
            return; // a resend of an attempt already started, or the step was deleted
        }
        var previousGroups = State.Groups;
        State = new StepState
        {
            Key = GrainKey,
            InstanceId = command.InstanceId,
            StepIndex = command.StepIndex,
            Definition = command.Definition,
            Context = command.Context,
            Attempt = command.Attempt,
            Status = ExecutionStatus.Running,
            StartedAt = Clock.GetUtcNow(),
        };
        // Current for the rest of the turn: resolving the hosts (the database's spans) is part of it.
        using var span = RunTrace.Start("orchestrator.step.start", command.TraceParent);
        span?.SetTag("orchestrator.step", GrainKey);
        span?.SetTag("orchestrator.attempt", command.Attempt);
        State.TraceParent = RunTrace.Id(span, command.TraceParent);
        var definition = command.Definition;
        if (definition.Kind == StepKind.Approval)
        {
            State.Status = ExecutionStatus.WaitingForApproval;
            State.Reason = definition.Approval?.Message;
            if (definition.Approval?.Timeout is { } timeout)
            {
                ArmWakeUp(ApprovalWakeUp, SafeTime.After(Clock.GetUtcNow(), timeout));
            }
            await ReportStatus();
            return;
        }

        List<string> hosts;
        if (definition.Kind == StepKind.Container && command.Retry is null)
        {
            // Clusters instead of hosts: the one with the most free capacity, or each selected one (StepGrain.Clusters.cs).
            (hosts, var passedOver) = await ResolveClustersAsync();
            if (hosts.Count == 0)
            {
                State.Reason = $"No cluster can run the step: {passedOver}.";
                await Finalize(ExecutionStatus.Failed);
                return;
            }
        }
        else
        {
            hosts = command.Retry is { } set ? await RetrySetAsync(set) : await ResolveTargetsAsync();
        }
        if (command.Retry is not null)
        {
            State.Groups = await RegroupAsync(previousGroups, hosts);
        }
        if (hosts.Count == 0)
        {
            State.Reason = command.Retry is null ? "No hosts matched the step's targets." : $"The attempt set '{command.Retry}' is empty.";
            await Finalize(ExecutionStatus.Failed);
            return;
        }
        if (definition.Kind == StepKind.FileDistribution && await FileNotInNamespaceAsync() is { } missing)
        {
            State.Reason = missing;
            await Finalize(ExecutionStatus.Failed);
            return;
        }
        WriteTargets(hosts);
        State.Total = hosts.Count;
        State.Counted = CountedPositions.For(hosts.Count);
        State.BatchSizes = Rollout.BatchSizes(definition.Execution.Rolling, hosts.Count);
        await FetchHostListsAsync();
        if (definition.Execution.Deadline is { } deadline)
        {
            ArmWakeUp(DeadlineWakeUp, SafeTime.After(Clock.GetUtcNow(), deadline));
        }
        if (definition.Kind == StepKind.FileDistribution && await StartCollectingAsync())
        {
            return;
        }
        StartBatch(0);
    }

    public Task Cancel(string reason) => StopOrEnd(ExecutionStatus.Cancelled, reason, TargetStatus.Cancelled);

    public Task Skip(string reason) => StopOrEnd(ExecutionStatus.Skipped, reason, TargetStatus.Skipped);

    public Task Continue(string by)
    {
        if (State.Status != ExecutionStatus.Paused || State.Stopping)
        {
            return Task.CompletedTask;
        }
        StartBatch(State.Batch + 1);
        return ReportStatus();
    }

    public async Task Decide(ApprovalDecision decision)
    {
        if (State.Status != ExecutionStatus.WaitingForApproval)
        {
            return;
        }
        State.Approvals.Add(new ApprovalRecord(decision.By, decision.Approve, decision.Reason, Clock.GetUtcNow()));
        if (ApprovalRules.Decide(State.Approvals, decision, State.Definition!.Approval?.Required ?? 1) is (var final, var reason))
        {
            State.Reason = reason;
            await Finalize(final);
        }
    }

    public async Task OnTargetFinished(TargetReport report)
    {
        if (report.Host.StartsWith('@'))
        {
            await TurnAsync(() => ApplyReportAsync(report)); // a file source, through its outbox: answered once stored
            return;
        }
        _reportsHeard++;
        _heard.Add(report);
        if (_counting is null || _counting.IsCompleted)
        {
            _counting = CountHeardAsync();
        }
    }

    /// <summary>Counts a target's final report once per position (a report heard twice, or found by the backstop, counts once).</summary>
    private async Task ApplyReportAsync(TargetReport report)
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
        if (!CountedPositions.TryCount(State.Counted, report.Position))
        {
            return; // this position's report was counted already: a re-send
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
        DispatchMore();
        if (Rollout.BatchDone(State.Next, State.BatchEnd, State.Running))
        {
            await EndBatch();
        }
    }

    protected override async Task OnWakeUpAsync(string name)
    {
        if (OnDeliveryWakeUp(name) || OnReportsWakeUp(name))
        {
            return;
        }
        if (State.Status.IsFinal() || State.Stopping)
        {
            return;
        }
        if (name == DeadlineWakeUp)
        {
            await Stop(new StepStop(ExecutionStatus.Failed, $"The step's deadline of {State.Definition!.Execution.Deadline} passed.", TargetStatus.Cancelled));
        }
        else if (name == ApprovalWakeUp && State.Status == ExecutionStatus.WaitingForApproval)
        {
            var (final, reason) = ApprovalRules.TimedOut(State.Definition!.Approval?.OnTimeout);
            State.Reason = reason;
            await Finalize(final);
        }
    }

    public ValueTask<StepView?> GetAsync() => ValueTask.FromResult<StepView?>(State.Definition is null ? null : new StepView(
        GrainKey, State.Definition.Name, State.Status, State.Attempt, State.Total, State.Batch + 1, Math.Max(1, State.BatchSizes.Count),
        State.Next, State.Succeeded, State.Failed, State.Total - State.Next + State.Ended, State.Reason, [.. State.Approvals]));

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
        if (report.Group is { } group)
        {
            OutputGrouping.Add(State.Groups, group, report.Excerpt, report.Host);
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

    private void StartBatch(int batch)
    {
        State.Batch = batch;
        State.BatchEnd = State.Next + State.BatchSizes[batch];
        State.BatchFailed = 0;
        State.Status = ExecutionStatus.Running;
        State.Reason = null;
        DispatchMore();
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
                StartBatch(State.Batch + 1);
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
        CancelOpenTargets(stop.NotStarted, stop.KillRunning);
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
        using var span = RunTrace.Start("orchestrator.step.finish", State.TraceParent);
        span?.SetTag("orchestrator.step", GrainKey);
        span?.SetTag("orchestrator.status", status.ToString());
        State.Status = status;
        State.FinishedAt = Clock.GetUtcNow();
        DisarmWakeUp(DeadlineWakeUp);
        DisarmWakeUp(ApprovalWakeUp);
        DisarmWakeUp(ReportsWakeUp);
        await ReportStatus();
    }

    private Task ReportStatus()
    {
        Telemetry.GrainMetrics.Step(State.Status);
        var outputs = State.Status.IsFinal()
            ? new StepOutputs(
                new Dictionary<string, string>(State.FirstOutputs),
                State.HostOutputs.ToDictionary(h => h.Key, h => (IReadOnlyDictionary<string, string>)h.Value))
            : null;
        return Send<ITaskInstanceGrain>(State.InstanceId)
            .OnStepStatus(new StepStatusReport(State.StepIndex, State.Attempt, State.Status, State.Reason, outputs));
    }
}
