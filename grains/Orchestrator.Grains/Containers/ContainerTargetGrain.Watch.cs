using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Execution;
using Orchestrator.Containers.Execution;
using Orchestrator.Containers.Jobs;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Logs;

namespace Orchestrator.Grains.Containers;

/// <summary>
/// The run outside the turns. <see cref="JobRunner.RunAsync"/> creates the Job (or attaches to it: a re-activated
/// target calls it again with the recorded name and the stored log cursors) and watches it to its end; it calls back
/// from its own threads, and each callback is moved onto this activation's scheduler. Pod log lines are masked, kept in
/// memory and flushed (every <see cref="FlushLines"/> lines and every <see cref="FlushInterval"/>) to each pod's own
/// stream in the log store, then the pods' cursors and next sequence numbers are written in a turn: a run resumed after
/// a crash re-reads each pod from its cursor and re-appends at the same numbers, which the store skips, so no line is
/// lost or doubled. The flush timer keeps the activation alive while the Job runs.
/// </summary>
public sealed partial class ContainerTargetGrain
{
    /// <summary>Lines buffered before they are flushed without waiting for the timer.</summary>
    internal const int FlushLines = 200;

    /// <summary>How often buffered lines and pod counts are flushed while a Job runs.</summary>
    internal static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private Task? _watch;
    private Dictionary<string, PodLogState> _pods = new(StringComparer.Ordinal);
    private List<string> _podOrder = [];
    private List<LogChunk> _pending = [];
    private JobProgress? _progress;
    private SecretMasker _masker = new([]);
    private ILogger? _logger;

    private ILogger Logger => _logger ??= ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger<ContainerTargetGrain>() ?? (ILogger)NullLogger.Instance;

    private ClusterClients Clients => ServiceProvider.GetRequiredService<ClusterClients>();

    /// <summary>Watches the current run's Job, unless this activation already does (or the Job is being stopped: see <see cref="StopJobAsync"/>).</summary>
    private void StartWatch()
    {
        if (_watch is { IsCompleted: false } || State.Deleted || State.Job is null || State.Status != TargetStatus.Running)
        {
            return;
        }
        _watch = WatchAsync(State.Run);
    }

    private async Task WatchAsync(int run)
    {
        var token = ActivationStopping;
        var scheduler = TaskScheduler.Current;
        var job = State.Job!;
        _pods = job.Pods.ToDictionary(p => p.Pod, Copy, StringComparer.Ordinal);
        _podOrder = [.. job.Pods.Select(p => p.Pod)];
        _pending = [];
        _progress = null;
        _masker = new SecretMasker(State.Work?.Secrets ?? []);
        using var flusher = this.RegisterGrainTimer(_ => FlushAsync(run), new GrainTimerCreationOptions(FlushInterval, FlushInterval) { KeepAlive = true, Interleave = true });
        JobOutcome outcome;
        try
        {
            var cluster = await GrainFactory.GetGrain<IClusterGrain>(State.Cluster).GetAsync();
            if (cluster is null)
            {
                outcome = new JobOutcome(JobOutcomeKind.Failed, $"cluster '{State.Cluster}' is no longer registered", null, null, null, JobProgress.None);
            }
            else
            {
                var built = JobBuilder.Build(State.Work!.Container!, State.Work.Secrets, Identity(run), job.Namespace);
                var request = new JobRunRequest(built.Job, built.Secret) { LogCursors = Cursors(job) };
                var callbacks = new JobRunCallbacks
                {
                    Progress = (progress, _) => OnActivation(scheduler, () =>
                    {
                        _progress = progress;
                        return Task.CompletedTask;
                    }),
                    Log = (chunk, _) => OnActivation(scheduler, () => OnPodLogAsync(run, chunk)),
                    Notice = message => Log.JobNotice(Logger, GrainKey, message),
                    Created = created => Log.JobCreated(Logger, GrainKey, job.Name, created),
                };
                outcome = await Clients.Runner(cluster).RunAsync(request, callbacks, token);
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            return; // the activation is going away; the next one watches the same Job again
        }
        catch (Exception e)
        {
            // A client that cannot be built (a kubeconfig not readable on this silo) is as a cluster that cannot be reached.
            outcome = new JobOutcome(JobOutcomeKind.ClusterUnreachable, $"cluster '{State.Cluster}' cannot be used: {e.Message}", null, null, null, JobProgress.None);
        }
        // The last lines, the pods' positions and the end in one turn: a target never ends with lines unstored.
        if (!await FlushAsync(run, () => OnJobEndedAsync(run, outcome)))
        {
            Log.EndNotRecorded(Logger, GrainKey, null); // the watch wake-up watches again: the runner finds the Job ended
        }
    }

    private static ValueTask OnActivation(TaskScheduler scheduler, Func<Task> work) =>
        new(Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, scheduler).Unwrap());

    private static Dictionary<string, PodLogCursor> Cursors(ContainerJob job) =>
        job.Pods.Where(p => p.CursorTimestamp is not null).ToDictionary(p => p.Pod, p => new PodLogCursor(p.CursorTimestamp!, p.CursorCount), StringComparer.Ordinal);

    private static PodLogState Copy(PodLogState p) => new()
    {
        Pod = p.Pod, NextSeq = p.NextSeq, CursorTimestamp = p.CursorTimestamp, CursorCount = p.CursorCount, Truncated = p.Truncated,
    };

    /// <summary>A pod's chunk: masked and buffered for its stream; the cursor moves with it.</summary>
    private async Task OnPodLogAsync(int run, PodLogChunk chunk)
    {
        if (run != State.Run)
        {
            return;
        }
        if (!_pods.TryGetValue(chunk.Pod, out var pod))
        {
            pod = new PodLogState { Pod = chunk.Pod };
            _pods[chunk.Pod] = pod;
            _podOrder.Add(chunk.Pod);
        }
        if (pod.Truncated)
        {
            return;
        }
        var stream = GrainKeys.PodLogStream(GrainKey, run, chunk.Pod);
        var now = Clock.GetUtcNow();
        if (chunk.Kind == PodLogChunkKind.Line)
        {
            _pending.Add(new LogChunk(stream, pod.NextSeq++, now, "stdout", _masker.Apply(chunk.Text) + "\n"));
        }
        else
        {
            _pending.Add(new LogChunk(stream, pod.NextSeq++, now, "system", $"[the pod's log passed {Clients.RunOptions.LogBytesPerPod} bytes: the rest is not kept here; read it with kubectl logs]\n"));
            pod.Truncated = true;
        }
        if (chunk.Cursor is { } cursor)
        {
            (pod.CursorTimestamp, pod.CursorCount) = (cursor.Timestamp, cursor.Count);
        }
        if (_pending.Count >= FlushLines)
        {
            await FlushAsync(run);
        }
    }

    /// <summary>
    /// Stores the buffered lines, then the pods' positions after them (and the Job's counts) in a turn, with
    /// <paramref name="then"/> when given. One flush at a time: positions are never written ahead of the lines they
    /// follow. A failed flush keeps its lines for the next; false when it failed.
    /// </summary>
    private async Task<bool> FlushAsync(int run, Func<Task>? then = null)
    {
        try
        {
            await _flushLock.WaitAsync(ActivationStopping);
        }
        catch (OperationCanceledException)
        {
            return false; // the activation is going away: the next one re-reads from the stored cursors
        }
        try
        {
            var progress = _progress;
            var job = State.Job;
            if (run != State.Run || job is null
                || (then is null && _pending.Count == 0 && (progress is null || (progress.Active, progress.Succeeded, progress.Failed) == (job.Active, job.Succeeded, job.Failed))))
            {
                return true;
            }
            var batch = _pending;
            _pending = [];
            var pods = _podOrder.Select(name => Copy(_pods[name])).ToList();
            try
            {
                if (batch.Count > 0)
                {
                    await Logs.AppendAsync(batch, ActivationStopping);
                }
                await TurnAsync(async () =>
                {
                    if (State.Run == run && State.Job is { } current)
                    {
                        current.Pods = pods;
                        if (progress is not null)
                        {
                            (current.Active, current.Succeeded, current.Failed) = (progress.Active, progress.Succeeded, progress.Failed);
                        }
                    }
                    if (then is not null)
                    {
                        await then();
                    }
                });
                return true;
            }
            catch (Exception e)
            {
                _pending.InsertRange(0, batch); // stored again at the same numbers: what got in is skipped
                if (!ActivationStopping.IsCancellationRequested)
                {
                    Log.FlushFailed(Logger, GrainKey, batch.Count, e);
                }
                return false;
            }
        }
        finally
        {
            _flushLock.Release();
        }
    }

    /// <summary>The run's end, in a turn: judged, then retried or reported.</summary>
    private async Task OnJobEndedAsync(int run, JobOutcome outcome)
    {
        if (run != State.Run || State.Status is not (TargetStatus.Running or TargetStatus.Stopping))
        {
            return;
        }
        var stopping = State.Status == TargetStatus.Stopping;
        var judged = ContainerOutcomes.Judge(outcome, stopping);
        if (stopping && State.TimedOut && judged.Verdict.Status != TargetStatus.Succeeded)
        {
            judged = new ContainerVerdict(new Targets.RunVerdict(TargetStatus.TimedOut), judged.ExitCode, $"not finished within the step's targetTimeout of {State.Timeout}: the Job was deleted");
        }
        if (State.Job is { } job)
        {
            (job.Active, job.Succeeded, job.Failed) = (outcome.Progress.Active, outcome.Progress.Succeeded, outcome.Progress.Failed);
        }
        Log.JobEnded(Logger, GrainKey, State.Job?.Name ?? "", outcome.Kind, outcome.Message);
        await EndAttempt(judged);
    }

    /// <summary>
    /// Stops the current run's Job: deletes it, and then either the watch of this activation sees it go and ends the
    /// run, or, with no watch running (a target re-activated while stopping, or one waiting to re-attach), the run is
    /// ended here. A new watch is never started for a Job being stopped: its create would make the deleted Job again.
    /// </summary>
    private async Task StopJobAsync()
    {
        var run = State.Run;
        if (!await DeleteJobAsync() || _watch is { IsCompleted: false })
        {
            return; // the cancel wake-up deletes again, or the watch ends the run
        }
        try
        {
            await TurnAsync(() => State.Status == TargetStatus.Stopping
                ? OnJobEndedAsync(run, new JobOutcome(JobOutcomeKind.Cancelled, $"Job {State.Job?.Name} was deleted", null, null, null, JobProgress.None))
                : Task.CompletedTask);
        }
        catch (Exception e) when (!ActivationStopping.IsCancellationRequested)
        {
            Log.EndNotRecorded(Logger, GrainKey, e);
        }
        catch (OperationCanceledException)
        {
            // The activation is going away; the cancel wake-up stops it again.
        }
    }

    /// <summary>Deletes the current run's Job (with its pods and Secret); false when that failed (logged).</summary>
    private async Task<bool> DeleteJobAsync()
    {
        if (State.Job is not { } job)
        {
            return true;
        }
        try
        {
            if (await GrainFactory.GetGrain<IClusterGrain>(State.Cluster).GetAsync() is { } cluster)
            {
                await Clients.Runner(cluster).CancelAsync(job.Namespace, job.Name, job.Secret, ActivationStopping);
            }
            return true;
        }
        catch (Exception e) when (!ActivationStopping.IsCancellationRequested)
        {
            Log.DeleteFailed(Logger, GrainKey, job.Name, e);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false; // the activation is going away; the cancel wake-up deletes again
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5601, Level = LogLevel.Information, Message = "Container target {Target}: {Notice}")]
        public static partial void JobNotice(ILogger logger, string target, string notice);

        [LoggerMessage(EventId = 5602, Level = LogLevel.Information, Message = "Container target {Target}: Job {Job} (created by this run: {Created})")]
        public static partial void JobCreated(ILogger logger, string target, string job, bool created);

        [LoggerMessage(EventId = 5603, Level = LogLevel.Information, Message = "Container target {Target}: Job {Job} ended {Outcome}: {Message}")]
        public static partial void JobEnded(ILogger logger, string target, string job, JobOutcomeKind outcome, string message);

        [LoggerMessage(EventId = 5604, Level = LogLevel.Warning, Message = "Container target {Target}: storing {Lines} pod log lines failed; they are stored again with the next flush")]
        public static partial void FlushFailed(ILogger logger, string target, int lines, Exception exception);

        [LoggerMessage(EventId = 5605, Level = LogLevel.Warning, Message = "Container target {Target}: deleting Job {Job} failed; the cancel is made again")]
        public static partial void DeleteFailed(ILogger logger, string target, string job, Exception exception);

        [LoggerMessage(EventId = 5606, Level = LogLevel.Warning, Message = "Container target {Target}: the Job's end could not be recorded; the watch wake-up watches it again")]
        public static partial void EndNotRecorded(ILogger logger, string target, Exception? exception);
    }
}
