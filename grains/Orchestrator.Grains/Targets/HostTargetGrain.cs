using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Telemetry;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Telemetry;

namespace Orchestrator.Grains.Targets;

/// <summary>
/// One step on one host. Hands the work to the host's agent through an assignment row, follows the agent's events,
/// retries with back-off, enforces a timeout backstop, and reports its final status to the step exactly once per
/// step attempt. Its timers (retry back-off, timeout, cancel grace) are wake-ups of its own: no reminder row per target.
/// </summary>
[GrainType("target")]
public sealed partial class HostTargetGrain : DurableGrain<HostTargetState>, IHostTargetGrain
{
    private const string RetryWakeUp = "retry";
    private const string TimeoutWakeUp = "timeout";
    private const string CancelWakeUp = "cancel-grace";

    /// <summary>How long past its timeout a target may stay silent before it is declared timed out here.</summary>
    internal static readonly TimeSpan ReportGrace = TimeSpan.FromSeconds(30);

    public async Task Start(StartTarget command)
    {
        if ((command.StepAttempt <= State.StepAttempt && State.Run > 0) || State.Deleted)
        {
            return; // a resend, or a start of an older attempt, or the target was deleted
        }
        State.StepKey = command.StepKey;
        State.Host = command.Host;
        State.Position = command.Position;
        State.OutputDigest = null; // an attempt cancelled before it ran reports no output, not the last attempt's
        State.OutputExcerpt = null;
        State.Namespace = command.Namespace;
        if (command.StepAttempt <= State.CancelledAttempt)
        {
            State.StepAttempt = command.StepAttempt;
            await Report(TargetStatus.Cancelled, null, failStep: false);
            return;
        }
        State.StepAttempt = command.StepAttempt;
        State.TraceParent = command.TraceParent;
        State.Work = command.Work;
        State.Timeout = command.Timeout;
        State.Retry = command.Retry;
        State.ExitCodes = [.. command.ExitCodes];
        State.RetriesUsed = 0;
        State.Outputs.Clear();
        await Dispatch(command.HostOnline);
    }

    public async Task Cancel(int stepAttempt, TargetStatus notStartedStatus)
    {
        switch (TargetStateRules.Cancel(State, stepAttempt, notStartedStatus))
        {
            case CancelCase.Ignored:
                return;
            case CancelCase.NotStarted:
                WriteTargetRow(stepAttempt);
                return;
        }
        switch (State.Status)
        {
            case TargetStatus.Retrying:
                DisarmWakeUp(RetryWakeUp);
                await Report(TargetStatus.Stopped, null, failStep: false);
                break;
            case TargetStatus.Dispatched:
                EndRun(TargetStatus.Cancelled, null, "cancelled before the agent started it");
                await Report(TargetStatus.Cancelled, null, failStep: false);
                break;
            default:
                State.Status = TargetStatus.Stopping;
                WriteAssignment(AssignmentState.CancelRequested);
                WriteTargetRow(State.StepAttempt);
                ArmWakeUp(CancelWakeUp, SafeTime.After(Clock.GetUtcNow(), ReportGrace));
                break;
        }
    }

    public async Task OnAgentEvent(TargetAgentEvent agentEvent)
    {
        if (!GrainKeys.TryParseAssignment(agentEvent.AssignmentId, out _, out var run) || run != State.Run)
        {
            return; // an event of an earlier run
        }
        if (State.Status == TargetStatus.Dispatched && agentEvent.Type != AgentEventType.Progress && State.Attempts.Count > 0)
        {
            // The agent started the run (or finished it at once, as a simulated host does): it picked the assignment up.
            OrchestratorMetrics.DispatchLatency.Record(GrainMetrics.Seconds(State.Attempts[^1].DispatchedAt, Clock.GetUtcNow()));
        }
        switch (agentEvent.Type)
        {
            case AgentEventType.Started when State.Status == TargetStatus.Dispatched:
                State.Status = TargetStatus.Running;
                State.SessionId = agentEvent.SessionId;
                UpdateAttempt(a => a with { Status = TargetStatus.Running, StartedAt = agentEvent.At });
                WriteAssignment(AssignmentState.Started);
                WriteTargetRow(State.StepAttempt);
                if (State.Timeout is { } timeout)
                {
                    ArmWakeUp(TimeoutWakeUp, SafeTime.After(Clock.GetUtcNow(), SafeTime.Due(timeout) + ReportGrace));
                }
                break;
            case AgentEventType.Progress when State.Status is TargetStatus.Running or TargetStatus.Dispatched:
                State.Percent = agentEvent.Percent ?? State.Percent;
                State.ProgressMessage = agentEvent.Message ?? State.ProgressMessage;
                State.ProgressAt = agentEvent.At;
                WriteTargetRow(State.StepAttempt);
                break;
            case AgentEventType.Finished when State.Status is TargetStatus.Dispatched or TargetStatus.Running or TargetStatus.Stopping:
                await OnFinished(agentEvent);
                break;
        }
    }

    public async Task OnAgentGone(string assignmentId, TargetStatus status, string reason)
    {
        if (!GrainKeys.TryParseAssignment(assignmentId, out _, out var run) || run != State.Run
            || State.Status is not (TargetStatus.Dispatched or TargetStatus.Running or TargetStatus.Stopping))
        {
            return;
        }
        await EndAttempt(new RunVerdict(State.Status == TargetStatus.Stopping ? TargetStatus.Stopped : status), null, reason);
    }

    protected override async Task OnWakeUpAsync(string name)
    {
        switch (name)
        {
            case RetryWakeUp when State.Status == TargetStatus.Retrying:
                var host = await GrainFactory.GetGrain<IHostGrain>(State.Host).GetAsync();
                // Only to a host still in the step's namespace (one that moved away is as one that never registered).
                await Dispatch(host is { Status: not HostStatus.Offline } && host.Namespace == Namespaces.Of(State.Namespace));
                break;
            case TimeoutWakeUp when State.Status == TargetStatus.Running:
                await EndAttempt(new RunVerdict(TargetStatus.TimedOut), null, $"no report from the agent within the timeout of {State.Timeout} and {ReportGrace} of grace");
                break;
            case CancelWakeUp when State.Status == TargetStatus.Stopping:
                await EndAttempt(new RunVerdict(TargetStatus.Stopped), null, $"the agent did not confirm the kill within {ReportGrace}");
                break;
        }
    }

    public ValueTask<TargetReport?> GetReportAsync(int stepAttempt) => ValueTask.FromResult(
        !State.Deleted && State.ReportedAttempt == stepAttempt && State.StepAttempt == stepAttempt && State.Status.IsFinal() ? CurrentReport() : null);

    public ValueTask<HostTargetView?> GetAsync() => ValueTask.FromResult<HostTargetView?>(State.Deleted || (State.Run == 0 && State.CancelledAttempt == 0) ? null : new HostTargetView(
        GrainKey, State.Host, State.Status, State.StepAttempt, State.Run, [.. State.Attempts], State.Percent, State.ProgressMessage, new Dictionary<string, string>(State.Outputs))
    {
        ProgressAt = State.ProgressAt,
    });
}
