using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Orchestrator.Containers.Execution;

public sealed partial class JobRunner
{
    /// <summary>
    /// Two list-then-watch loops (the Job by name, its pods by the Job's uid) feed one reader, which keeps the latest
    /// Job and pods, reports progress, starts a log follower per pod whose container started, and asks
    /// <see cref="JobOutcomeMapper"/> after every change whether the run is over.
    /// </summary>
    private async Task<JobOutcome> WatchAsync(string ns, string name, string uid, JobRunRequest request, JobRunCallbacks callbacks, CancellationToken cancellationToken)
    {
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopLogs = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateUnbounded<WatchSignal>(new UnboundedChannelOptions { SingleReader = true });
        var jobField = $"metadata.name={name}";
        var podSelector = $"batch.kubernetes.io/controller-uid={uid}";
        var producers = new[]
        {
            ListAndWatchAsync<V1Job, V1JobList>(
                "Job watch",
                token => CallAsync(t => _client.BatchV1.ListNamespacedJobAsync(ns, fieldSelector: jobField, cancellationToken: t), token),
                (rv, onError, token) => _client.BatchV1.WatchListNamespacedJobAsync(ns, fieldSelector: jobField, resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: token),
                items => new WatchSignal.JobListed(items.FirstOrDefault()),
                (type, job) => new WatchSignal.JobChanged(type, job),
                channel.Writer, callbacks, stopWatching.Token),
            ListAndWatchAsync<V1Pod, V1PodList>(
                "pod watch",
                token => CallAsync(t => _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: podSelector, cancellationToken: t), token),
                (rv, onError, token) => _client.CoreV1.WatchListNamespacedPodAsync(ns, labelSelector: podSelector, resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: token),
                items => new WatchSignal.PodsListed([.. items]),
                (type, pod) => new WatchSignal.PodChanged(type, pod),
                channel.Writer, callbacks, stopWatching.Token),
        };
        var container = request.Job.Spec?.Template?.Spec?.Containers?.FirstOrDefault()?.Name;
        var logs = new PodLogSet(_client, ns, container, request.LogCursors, callbacks.Log, _options, _time, stopLogs.Token);
        JobOutcome? outcome = null;
        var state = new RunState();
        try
        {
            await foreach (var signal in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                outcome = Apply(state, signal, name, uid, logs, callbacks, channel.Writer, stopWatching.Token);
                if (outcome is { Kind: JobOutcomeKind.Failed, Reason: not null })
                {
                    // The pod watch may lag the Job's: read the pods once more so the failing pod's exit code is known.
                    try
                    {
                        var pods = await CallAsync(t => _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: podSelector, cancellationToken: t), cancellationToken).ConfigureAwait(false);
                        state.Pods = pods.Items.ToDictionary(p => p.Metadata.Name, StringComparer.Ordinal);
                        outcome = JobOutcomeMapper.Map(state.Job!, state.Pods.Values, state.PullErrorSince, _time.GetUtcNow(), _options.ImagePullGrace) ?? outcome;
                    }
                    catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                    {
                        // The Job's own condition already decided; only the pod's details are missing.
                        callbacks.Notice?.Invoke($"Reading the pods of Job {name} for the failure's exit code failed: {KubernetesErrors.Describe(e)}");
                    }
                }
                await ReportProgressAsync(state, callbacks, cancellationToken).ConfigureAwait(false);
                if (outcome is not null)
                {
                    break;
                }
                foreach (var pod in state.Pods.Values)
                {
                    logs.Observe(pod);
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(producers).ConfigureAwait(false);
            if (outcome is null or { Kind: JobOutcomeKind.ClusterUnreachable or JobOutcomeKind.ImagePullFailed })
            {
                await stopLogs.CancelAsync().ConfigureAwait(false);
            }
        }
        if (callbacks.Log is not null && outcome is { Kind: JobOutcomeKind.Succeeded or JobOutcomeKind.Failed or JobOutcomeKind.DeadlineExceeded })
        {
            // The Job's watch can run ahead of its pods' (a pod that started and finished between two of our reads):
            // read the pods once more, so that every pod that ran has its log read.
            try
            {
                var pods = await CallAsync(t => _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: podSelector, cancellationToken: t), cancellationToken).ConfigureAwait(false);
                foreach (var pod in pods.Items)
                {
                    state.Pods[pod.Metadata.Name] = pod;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                callbacks.Notice?.Invoke($"Reading the pods of Job {name} for their logs failed: {KubernetesErrors.Describe(e)}");
            }
        }
        foreach (var pod in state.Pods.Values)
        {
            logs.Observe(pod);
        }
        await logs.DrainAsync(cancellationToken).ConfigureAwait(false);
        await stopLogs.CancelAsync().ConfigureAwait(false);
        return outcome!;
    }

    private JobOutcome? Apply(RunState state, WatchSignal signal, string name, string uid, PodLogSet logs, JobRunCallbacks callbacks, ChannelWriter<WatchSignal> writer, CancellationToken token)
    {
        var now = _time.GetUtcNow();
        switch (signal)
        {
            case WatchSignal.JobListed { Job: var job }:
                if (job is null || job.Metadata.Uid != uid)
                {
                    return Deleted(name, state);
                }
                state.Job = job;
                break;
            case WatchSignal.JobChanged { Type: WatchEventType.Deleted }:
                return Deleted(name, state);
            case WatchSignal.JobChanged { Job: var job } when job.Metadata.Uid == uid:
                state.Job = job;
                break;
            case WatchSignal.PodsListed { Pods: var pods }:
                foreach (var gone in state.Pods.Keys.Except(pods.Select(p => p.Metadata.Name), StringComparer.Ordinal))
                {
                    logs.Gone(gone);
                }
                state.Pods = pods.ToDictionary(p => p.Metadata.Name, StringComparer.Ordinal);
                break;
            case WatchSignal.PodChanged { Type: WatchEventType.Deleted, Pod: var pod }:
                state.Pods.Remove(pod.Metadata.Name);
                logs.Gone(pod.Metadata.Name);
                break;
            case WatchSignal.PodChanged { Pod: var pod }:
                state.Pods[pod.Metadata.Name] = pod;
                break;
            case WatchSignal.Reachability { Source: var source, Error: null }:
                state.Unreachable.Remove(source);
                break;
            case WatchSignal.Reachability { Source: var source, Error: { } error }:
                if (state.Unreachable.TryAdd(source, (now, error)))
                {
                    callbacks.Notice?.Invoke($"{source} on cluster {_cluster.Name}: {KubernetesErrors.Describe(error)}; retrying for up to {_options.UnreachableGrace}");
                    WakeAt(now + _options.UnreachableGrace, writer, token);
                }
                break;
        }

        foreach (var pod in state.Pods.Values)
        {
            if (JobOutcomeMapper.PullError(pod) is null)
            {
                state.PullErrorSince.Remove(pod.Metadata.Name);
            }
            else if (state.PullErrorSince.TryAdd(pod.Metadata.Name, now))
            {
                callbacks.Notice?.Invoke($"Pod {pod.Metadata.Name} cannot pull its image ({JobOutcomeMapper.PullError(pod)!.Reason}); the run fails if it still cannot after {_options.ImagePullGrace}");
                WakeAt(now + _options.ImagePullGrace, writer, token);
            }
        }
        foreach (var gone in state.PullErrorSince.Keys.Where(p => !state.Pods.ContainsKey(p)).ToList())
        {
            state.PullErrorSince.Remove(gone);
        }

        if (state.Unreachable.Count > 0)
        {
            var (since, error) = state.Unreachable.Values.MinBy(u => u.Since);
            if (now - since >= _options.UnreachableGrace)
            {
                return Unreachable(error, JobOutcomeMapper.Progress(state.Job));
            }
        }
        return state.Job is null ? null : JobOutcomeMapper.Map(state.Job, state.Pods.Values, state.PullErrorSince, now, _options.ImagePullGrace);
    }

    private static JobOutcome Deleted(string name, RunState state) =>
        new(JobOutcomeKind.Cancelled, $"Job {name} was deleted before it ended", null, null, null, JobOutcomeMapper.Progress(state.Job));

    private void WakeAt(DateTimeOffset due, ChannelWriter<WatchSignal> writer, CancellationToken token)
    {
        _ = WakeAsync();

        async Task WakeAsync()
        {
            try
            {
                // A timer may fire a little before the clock reads its due time; the reader decides by the clock.
                TimeSpan wait;
                while ((wait = due - _time.GetUtcNow()) > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, token).ConfigureAwait(false);
                }
                writer.TryWrite(new WatchSignal.Tick());
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task ReportProgressAsync(RunState state, JobRunCallbacks callbacks, CancellationToken cancellationToken)
    {
        var progress = JobOutcomeMapper.Progress(state.Job);
        if (progress != state.LastProgress)
        {
            state.LastProgress = progress;
            if (callbacks.Progress is { } report)
            {
                await report(progress, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Lists, then watches from the list's resourceVersion; a closed stream resumes from the last event's version, a
    /// 410 Gone (the version was compacted away) or a transport failure lists again, so no change is missed.
    /// </summary>
    private async Task ListAndWatchAsync<T, TList>(
        string source,
        Func<CancellationToken, Task<TList>> list,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        Func<IList<T>, WatchSignal> listed,
        Func<WatchEventType, T, WatchSignal> changed,
        ChannelWriter<WatchSignal> writer,
        JobRunCallbacks callbacks,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    {
        string? resourceVersion = null;
        var failing = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var progressed = false;
            var gone = false;
            try
            {
                if (resourceVersion is null)
                {
                    var items = await list(cancellationToken).ConfigureAwait(false);
                    resourceVersion = items.Metadata.ResourceVersion;
                    writer.TryWrite(listed(items.Items));
                    progressed = true;
                    if (failing)
                    {
                        failing = false;
                        writer.TryWrite(new WatchSignal.Reachability(source, null));
                    }
                }
                var stream = watch(
                    resourceVersion,
                    e => gone |= e is KubernetesException { Status.Code: (int)HttpStatusCode.Gone },
                    cancellationToken);
                await foreach (var (type, item) in stream.ConfigureAwait(false))
                {
                    resourceVersion = item.Metadata?.ResourceVersion ?? resourceVersion;
                    if (type != WatchEventType.Bookmark)
                    {
                        writer.TryWrite(changed(type, item));
                    }
                    progressed = true;
                }
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped (the run has its outcome, or is shutting down): whatever the call in flight ended with, be it
                // a cancellation or a refused connection racing it, this loop has nothing more to say.
                return;
            }
            catch (Exception e) when (KubernetesErrors.Status(e) == HttpStatusCode.Gone)
            {
                resourceVersion = null;
                progressed = true;
            }
            catch (HttpRequestException e) when (KubernetesErrors.IsStreamEnd(e))
            {
                // The client library reports a watch the server closed (its timeout, a proxy's idle cut) this way: the
                // server is fine, so resume from the last version seen (unless it said 410 first, below).
                if (!gone)
                {
                    callbacks.Notice?.Invoke($"{source} was closed by the server; resuming from resourceVersion {resourceVersion}");
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer, an error status, or an answer the client could not read: this loop is the boundary that
                // turns them into a signal, and lists again once the server answers (events may have been missed).
                resourceVersion = null;
                if (!failing)
                {
                    failing = true;
                    writer.TryWrite(new WatchSignal.Reachability(source, e));
                }
            }
            if (gone)
            {
                callbacks.Notice?.Invoke($"{source}: resourceVersion {resourceVersion} is too old (410 Gone); listing again");
                resourceVersion = null;
                progressed = true;
            }
            if (!progressed && _options.ReconnectDelay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(_options.ReconnectDelay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>What the run's reader knows; touched by that reader only.</summary>
    private sealed class RunState
    {
        public V1Job? Job { get; set; }

        public Dictionary<string, V1Pod> Pods { get; set; } = new(StringComparer.Ordinal);

        public Dictionary<string, DateTimeOffset> PullErrorSince { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, (DateTimeOffset Since, Exception Error)> Unreachable { get; } = new(StringComparer.Ordinal);

        public JobProgress LastProgress { get; set; } = JobProgress.None;
    }
}
