using Orchestrator.Containers.Jobs;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Targets;
using Orchestrator.Grains.Telemetry;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Containers;

/// <summary>
/// One container step on one registered cluster (see <see cref="IContainerTargetGrain"/>). A run is one Kubernetes Job:
/// its name is recorded in the turn that decides the run, then the Job is created and watched outside the turn
/// (ContainerTargetGrain.Watch.cs), and its end is judged (<see cref="ContainerOutcomes"/>), retried by the step's
/// policy, and reported to the step as a host target's end is. While a Job runs, a wake-up keeps coming back: if this
/// activation's silo died, the sweeper wakes the target elsewhere and it watches the same Job again.
/// </summary>
[GrainType(TargetGrains.ContainerType)]
public sealed partial class ContainerTargetGrain : DurableGrain<ContainerTargetState>, IContainerTargetGrain
{
    private const string RetryWakeUp = "retry";
    private const string TimeoutWakeUp = "timeout";
    private const string CancelWakeUp = "cancel";
    private const string WatchWakeUp = "watch";

    /// <summary>How often a running target's wake-up comes back (how soon a target whose silo died watches its Job again).</summary>
    internal static readonly TimeSpan WatchBackstop = TimeSpan.FromSeconds(30);

    /// <summary>How often a cancel whose delete did not end the Job's watch is made again.</summary>
    internal static readonly TimeSpan CancelRetry = TimeSpan.FromSeconds(15);

    public async Task Start(StartTarget command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if ((command.StepAttempt <= State.StepAttempt && State.Run > 0) || State.Deleted)
        {
            return; // a resend, or a start of an older attempt, or the target was deleted
        }
        State.StepKey = command.StepKey;
        State.Cluster = command.Host;
        State.Position = command.Position;
        State.Namespace = command.Namespace;
        if (command.StepAttempt <= State.CancelledAttempt)
        {
            State.StepAttempt = command.StepAttempt;
            await Report(TargetStatus.Cancelled, null);
            return;
        }
        State.StepAttempt = command.StepAttempt;
        State.TraceParent = command.TraceParent;
        State.Work = command.Work;
        State.Timeout = command.Timeout;
        State.Retry = command.Retry;
        State.RetriesUsed = 0;
        await DispatchAsync();
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
        if (State.Status == TargetStatus.Retrying && !State.Reattach)
        {
            DisarmWakeUp(RetryWakeUp);
            await Report(TargetStatus.Cancelled, null);
            return;
        }
        // A Job runs (or may, on a cluster that could not be reached): delete it; the watch then ends the run cancelled.
        DisarmWakeUp(RetryWakeUp);
        State.Status = TargetStatus.Stopping;
        WriteTargetRow(State.StepAttempt);
        ArmWakeUp(CancelWakeUp, CancelRetry);
        AfterWrite(() => _ = StopJobAsync());
    }

    protected override async Task OnWakeUpAsync(string name)
    {
        switch (name)
        {
            case RetryWakeUp when State.Status == TargetStatus.Retrying:
                if (State.Reattach && State.Job is not null)
                {
                    // The cluster could not be reached: watch the same Job again (it may have run on meanwhile).
                    State.Reattach = false;
                    State.Status = TargetStatus.Running;
                    UpdateAttempt(a => a with { Status = TargetStatus.Running, FinishedAt = null });
                    WriteRunning();
                }
                else
                {
                    await DispatchAsync();
                }
                break;
            case TimeoutWakeUp when State.Status == TargetStatus.Running:
                // The step's targetTimeout: the Job is deleted, and the run ends timed out when its watch sees it go.
                State.Status = TargetStatus.Stopping;
                State.TimedOut = true;
                WriteTargetRow(State.StepAttempt);
                ArmWakeUp(CancelWakeUp, CancelRetry);
                AfterWrite(() => _ = StopJobAsync());
                break;
            case CancelWakeUp when State.Status == TargetStatus.Stopping:
                ArmWakeUp(CancelWakeUp, CancelRetry);
                AfterWrite(() => _ = StopJobAsync());
                break;
            case WatchWakeUp when State.Status == TargetStatus.Running:
                ArmWakeUp(WatchWakeUp, WatchBackstop);
                AfterWrite(StartWatch);
                break;
        }
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A Job this target was watching when its previous activation went away: watch it again (it attaches), or, if it
        // was being stopped, delete it and end (a new watch would create a Job already deleted again).
        if (!State.Deleted && State.Job is not null && State.Status == TargetStatus.Running)
        {
            StartWatch();
        }
        else if (!State.Deleted && State.Job is not null && State.Status == TargetStatus.Stopping)
        {
            _ = StopJobAsync();
        }
        return Task.CompletedTask;
    }

    /// <summary>Starts a new run: a Job named for it, recorded before the watch creates it.</summary>
    private async Task DispatchAsync()
    {
        State.Run++;
        State.Reattach = false;
        State.TimedOut = false;
        State.Job = null;
        var now = Clock.GetUtcNow();
        State.Attempts.Add(new TargetAttempt(State.Run, State.StepAttempt, TargetStatus.Dispatched, null, now, null, null, null, null));
        State.Status = TargetStatus.Dispatched;
        var cluster = await GrainFactory.GetGrain<IClusterGrain>(State.Cluster).GetAsync();
        if (cluster is null)
        {
            await EndAttempt(new ContainerVerdict(new RunVerdict(TargetStatus.Failed, MayRetry: false), null, $"cluster '{State.Cluster}' is not registered"));
            return;
        }
        BuiltJob built;
        try
        {
            built = JobBuilder.Build(State.Work!.Container!, State.Work.Secrets, Identity(State.Run), cluster.Spec.DefaultNamespace);
        }
        catch (ArgumentException e)
        {
            await EndAttempt(new ContainerVerdict(new RunVerdict(TargetStatus.Failed, MayRetry: false), null, e.Message));
            return;
        }
        State.Job = new ContainerJob { Name = built.Job.Metadata.Name, Namespace = built.Job.Metadata.NamespaceProperty, Secret = built.Secret?.Metadata.Name };
        State.Status = TargetStatus.Running;
        UpdateAttempt(a => a with { Status = TargetStatus.Running, StartedAt = now });
        if (State.Timeout is { } timeout)
        {
            ArmWakeUp(TimeoutWakeUp, SafeTime.After(now, timeout));
        }
        WriteRunning();
    }

    /// <summary>The target's row and its cluster's load row say it runs; its Job is watched once this turn is durable.</summary>
    private void WriteRunning()
    {
        WriteTargetRow(State.StepAttempt);
        WriteIndex(new IndexRow(ClusterIndex.Jobs, State.Cluster, GrainKey, 0, null));
        ArmWakeUp(WatchWakeUp, WatchBackstop);
        AfterWrite(StartWatch);
    }

    /// <summary>The Job's identity for a run: instance, step, cluster and run name it.</summary>
    private JobIdentity Identity(int run)
    {
        var colon = State.StepKey.LastIndexOf(':');
        var index = int.Parse(State.StepKey.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
        return new JobIdentity(State.StepKey[..colon], index, State.Work?.StepName ?? "", State.Cluster, run);
    }

    /// <summary>Ends the current run: a retry after back-off if the policy allows, else the final report.</summary>
    private async Task EndAttempt(ContainerVerdict judged)
    {
        DisarmWakeUp(TimeoutWakeUp);
        DisarmWakeUp(CancelWakeUp);
        DisarmWakeUp(WatchWakeUp);
        DeleteIndex(ClusterIndex.Jobs, State.Cluster, GrainKey);
        var verdict = judged.Verdict;
        UpdateAttempt(a => a with
        {
            Status = verdict.Status, ExitCode = judged.ExitCode, FinishedAt = Clock.GetUtcNow(), Error = judged.Error, LogChunks = State.Job?.Pods.Sum(p => p.NextSeq),
            Pods = State.Job is { } job ? PodViews(job) : null,
        });
        if (RetryDecision.Backoff(verdict, State.RetriesUsed, State.Retry) is { } backoff)
        {
            State.RetriesUsed++;
            State.Status = TargetStatus.Retrying;
            State.Reattach = judged.Reattach;
            WriteTargetRow(State.StepAttempt);
            ArmWakeUp(RetryWakeUp, SafeTime.After(Clock.GetUtcNow(), backoff));
            return;
        }
        await Report(verdict.Status, judged.ExitCode);
    }

    /// <summary>Records the final status and tells the step (a notice: the step finds a lost one from the target's row).</summary>
    private Task Report(TargetStatus status, int? exitCode)
    {
        GrainMetrics.Target(status);
        State.Status = status;
        State.ReportedAttempt = State.StepAttempt;
        State.ReportedExitCode = exitCode;
        WriteTargetRow(State.StepAttempt);
        DeactivateWhenDelivered();
        var report = CurrentReport();
        var step = GrainFactory.GetGrain<IStepGrain>(State.StepKey);
        NotifyAfterWrite(() => step.OnTargetFinished(report));
        return Task.CompletedTask;
    }

    private TargetReport CurrentReport() => new(State.Cluster, State.StepAttempt, State.Status, State.ReportedExitCode, false, null, State.Position);

    public ValueTask<TargetReport?> GetReportAsync(int stepAttempt) => ValueTask.FromResult(
        !State.Deleted && State.ReportedAttempt == stepAttempt && State.StepAttempt == stepAttempt && State.Status.IsFinal() ? CurrentReport() : null);

    public ValueTask<HostTargetView?> GetAsync() => ValueTask.FromResult<HostTargetView?>(State.Deleted || (State.Run == 0 && State.CancelledAttempt == 0) ? null : new HostTargetView(
        GrainKey, State.Cluster, State.Status, State.StepAttempt, State.Run, [.. State.Attempts], null, Progress(), new Dictionary<string, string>())
    {
        Kind = TargetKind.Container,
        Container = State.Job is { } job
            ? new ContainerRunView(job.Name, job.Namespace, job.Active, job.Succeeded, job.Failed, PodViews(job))
            : null,
    });

    private static List<PodLogView> PodViews(ContainerJob job) => [.. job.Pods.Select(p => new PodLogView(p.Pod, p.NextSeq, p.Truncated))];

    private string? Progress() => State.Job is { } job && (job.Active + job.Succeeded + job.Failed) > 0
        ? $"pods: {job.Active} active, {job.Succeeded} succeeded, {job.Failed} failed"
        : null;

    public async Task Delete()
    {
        if (State.Deleted)
        {
            return;
        }
        DisarmAllWakeUps();
        var (stepKey, name) = GrainKeys.SplitTarget(GrainKey);
        DeleteIndex(IndexKinds.Target, stepKey, name);
        DeleteIndex(ClusterIndex.Jobs, State.Cluster, GrainKey);
        // Every run's pod streams (GrainKeys.PodLogStream: this key, '#', the run, '/', the pod).
        await Logs.DeleteStreamsAsync(GrainKey + "#");
        State = TargetStateRules.Tombstone(State, new ContainerTargetState { Cluster = State.Cluster });
    }

    /// <summary>A parked message ends the target's attempt as failed (a parked cancel: cancelled), as for host targets.</summary>
    public async Task OnDeadLetter(DeadLetterNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (State.Deleted || State.Run == 0 || State.Status.IsFinal())
        {
            return;
        }
        DisarmWakeUp(RetryWakeUp);
        var final = notice.Method == nameof(Cancel) || State.Status == TargetStatus.Stopping ? TargetStatus.Cancelled : TargetStatus.Failed;
        await EndAttempt(new ContainerVerdict(new RunVerdict(final, MayRetry: false), null, $"{notice.Reminder ?? notice.Method} could not be applied ({notice.Error})"));
    }

    private void UpdateAttempt(Func<TargetAttempt, TargetAttempt> change)
    {
        if (State.Attempts.Count > 0)
        {
            State.Attempts[^1] = change(State.Attempts[^1]);
        }
    }

    private void WriteTargetRow(int stepAttempt)
    {
        var last = State.Attempts.Count > 0 ? State.Attempts[^1] : null;
        var (stepKey, name) = GrainKeys.SplitTarget(GrainKey);
        var data = DomainJson.Serialize(new TargetIndexData(State.Status, State.Run, stepAttempt, last?.ExitCode, last?.StartedAt, last?.FinishedAt, null, last?.Error,
            State.Position >= 0 ? State.Position : null, null, TargetKind.Container));
        WriteIndex(new IndexRow(IndexKinds.Target, stepKey, name, (int)State.Status, data));
    }
}
