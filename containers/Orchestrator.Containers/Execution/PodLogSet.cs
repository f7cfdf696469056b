using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Orchestrator.Containers.Execution;

/// <summary>
/// The log followers of one run, one per pod whose container has started; the sink is called by one follower at a
/// time, so a caller's store needs no locking of its own.
/// </summary>
internal sealed class PodLogSet
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string? _container;
    private readonly IReadOnlyDictionary<string, PodLogCursor> _cursors;
    private readonly Func<PodLogChunk, CancellationToken, ValueTask>? _sink;
    private readonly JobRunOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationToken _token;
    private readonly ConcurrentDictionary<string, bool> _ended = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _followers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sinkGate = new(1, 1);
    private volatile bool _jobEnded;

    public PodLogSet(IKubernetes client, string ns, string? container, IReadOnlyDictionary<string, PodLogCursor> cursors,
        Func<PodLogChunk, CancellationToken, ValueTask>? sink, JobRunOptions options, TimeProvider time, CancellationToken token)
    {
        _client = client;
        _namespace = ns;
        _container = container;
        _cursors = cursors;
        _sink = sink;
        _options = options;
        _time = time;
        _token = token;
    }

    /// <summary>Records whether the pod has ended and starts its follower once its container has started.</summary>
    public void Observe(V1Pod pod)
    {
        if (_sink is null)
        {
            return;
        }
        var name = pod.Metadata.Name;
        _ended[name] = JobOutcomeMapper.Ended(pod) || (_ended.TryGetValue(name, out var was) && was);
        if (!_followers.ContainsKey(name) && JobOutcomeMapper.HasLog(pod))
        {
            _cursors.TryGetValue(name, out var cursor);
            var follower = new PodLogFollower(_client, _namespace, name, _container, cursor, _options, _time, Ended, Deliver);
            _followers[name] = Task.Run(() => follower.RunAsync(_token), CancellationToken.None);
        }

        bool Ended() => _jobEnded || (_ended.TryGetValue(name, out var ended) && ended);
    }

    /// <summary>The pod was deleted: its log will not grow.</summary>
    public void Gone(string pod) => _ended[pod] = true;

    /// <summary>
    /// Waits for every follower to read its pod's log to the end, after telling them the Job has ended (so a stream
    /// that closes is not re-opened to follow); cut off after <see cref="JobRunOptions.LogDrainTimeout"/>.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        _jobEnded = true;
        try
        {
            await Task.WhenAll(_followers.Values).WaitAsync(_options.LogDrainTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The followers run on _token, which the caller cancels after this returns.
        }
        catch (OperationCanceledException) when (_token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async ValueTask Deliver(PodLogChunk chunk, CancellationToken cancellationToken)
    {
        await _sinkGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _sink!(chunk, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sinkGate.Release();
        }
    }
}
