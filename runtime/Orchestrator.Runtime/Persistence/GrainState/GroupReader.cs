namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// Group reads: state reads of activating grains queue here and share queries, as writes share transactions in
/// <see cref="GroupCommitter"/>. A read that arrives while a query slot is free goes at once; reads that arrive while
/// every slot is busy wait and then go together, up to <c>batchSize</c> per query. So a fan-out that activates
/// thousands of grains at once costs tens of queries and a few connections, not a query and a pooled connection per
/// grain (which exhausted the pool at 100,000 hosts). A failed query fails exactly the reads of its batch.
/// </summary>
internal sealed class GroupReader(IGrainStateStore store, int batchSize, int concurrency)
{
    private readonly Lock _sync = new();
    private readonly Queue<Pending> _queue = new();
    private readonly int _concurrency = Math.Max(1, concurrency);
    private int _inFlight;
    private long _queries;

    /// <summary>Queries run so far (for tests and diagnostics: reads per query is the point).</summary>
    public long Queries => Interlocked.Read(ref _queries);

    /// <summary>Queues a read and completes with the stored state (null: none). Cancelling only stops the wait.</summary>
    public Task<StoredGrainState?> ReadAsync(GrainStateKey grain, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(grain);
        List<Pending>? batch;
        lock (_sync)
        {
            _queue.Enqueue(pending);
            batch = TakeBatch();
        }
        if (batch is not null)
        {
            Start(batch);
        }
        return cancellationToken.CanBeCanceled ? pending.Completion.Task.WaitAsync(cancellationToken) : pending.Completion.Task;
    }

    /// <summary>The next batch if a slot is free and reads wait (called under the lock); it takes the slot.</summary>
    private List<Pending>? TakeBatch()
    {
        if (_inFlight >= _concurrency || _queue.Count == 0)
        {
            return null;
        }
        var batch = new List<Pending>(Math.Min(batchSize, _queue.Count));
        while (batch.Count < batchSize && _queue.TryDequeue(out var next))
        {
            batch.Add(next);
        }
        _inFlight++;
        return batch;
    }

    // Off the reader's thread: a grain's scheduler must not run another batch's database I/O.
    private void Start(List<Pending> batch) => _ = Task.Run(() => RunAsync(batch));

    private async Task RunAsync(List<Pending> batch)
    {
        try
        {
            var keys = batch.Select(p => p.Grain).Distinct().ToList();
            var stored = await store.ReadManyAsync(keys, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _queries);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetResult(stored.GetValueOrDefault(pending.Grain));
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }
        }
        finally
        {
            List<Pending>? next;
            lock (_sync)
            {
                _inFlight--;
                next = TakeBatch();
            }
            if (next is not null)
            {
                Start(next);
            }
        }
    }

    private sealed class Pending(GrainStateKey grain)
    {
        public GrainStateKey Grain { get; } = grain;

        public TaskCompletionSource<StoredGrainState?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
