namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// Group reads: state reads of activating grains share queries (<see cref="BatchRunner{TPending}"/>), as writes share
/// transactions in <see cref="GroupCommitter"/>, up to <c>batchSize</c> per query. So a fan-out that activates
/// thousands of grains at once costs tens of queries and a few connections, not a query and a pooled connection per
/// grain (which exhausted the pool at 100,000 hosts). A failed query fails exactly the reads of its batch.
/// </summary>
internal sealed class GroupReader(IGrainStateStore store, int batchSize, int concurrency) : BatchRunner<GroupReader.Pending>(concurrency)
{
    private readonly Queue<Pending> _queue = new();
    private long _queries;

    /// <summary>Queries run so far (for tests and diagnostics: reads per query is the point).</summary>
    public long Queries => Interlocked.Read(ref _queries);

    /// <summary>Queues a read and completes with the stored state (null: none). Cancelling only stops the wait.</summary>
    public Task<StoredGrainState?> ReadAsync(GrainStateKey grain, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(grain);
        Add(() => _queue.Enqueue(pending));
        return cancellationToken.CanBeCanceled ? pending.Completion.Task.WaitAsync(cancellationToken) : pending.Completion.Task;
    }

    protected override List<Pending> TakeWaiting()
    {
        var batch = new List<Pending>(Math.Min(batchSize, _queue.Count));
        while (batch.Count < batchSize && _queue.TryDequeue(out var next))
        {
            batch.Add(next);
        }
        return batch;
    }

    protected override async Task RunBatchAsync(List<Pending> batch)
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
    }

    internal sealed class Pending(GrainStateKey grain)
    {
        public GrainStateKey Grain { get; } = grain;

        public TaskCompletionSource<StoredGrainState?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
