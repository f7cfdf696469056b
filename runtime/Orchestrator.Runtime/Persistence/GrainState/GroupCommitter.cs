namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// Group commit: writes from many grains queue here and share transactions. A write that arrives while a
/// transaction slot is free commits at once; writes that arrive while every slot is busy wait and then go together,
/// up to <c>batchSize</c> per transaction, so under load one WAL flush serves many grains and when idle nothing
/// waits for a timer. Two writes of one grain state never share a batch (the later one waits for the next).
/// Each write gets its own outcome; a failed transaction fails exactly the writes of its batch.
/// </summary>
internal sealed class GroupCommitter(IGrainStateStore store, int batchSize, int concurrency)
    : BatchRunner<GroupCommitter.Pending>(Math.Min(concurrency, store.MaxConcurrency))
{
    private readonly LinkedList<Pending> _queue = new();
    private long _transactions;

    /// <summary>Transactions committed so far (for tests and diagnostics: writes per transaction is the point).</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>
    /// Queues a write and completes with its outcome. Cancelling before the write joined a batch removes it;
    /// afterwards the transaction decides (the outcome is then reported, not the cancellation).
    /// </summary>
    public async Task<GrainWriteOutcome> SubmitAsync(GrainStateWrite write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(write);
        Add(() => pending.Node = _queue.AddLast(pending));
        await using (cancellationToken.Register(() => Cancel(pending)))
        {
            return await pending.Completion.Task.ConfigureAwait(false);
        }
    }

    private void Cancel(Pending pending)
    {
        lock (Sync)
        {
            if (pending.Node is null)
            {
                return;
            }
            _queue.Remove(pending.Node);
            pending.Node = null;
        }
        pending.Completion.TrySetCanceled();
    }

    /// <summary>Up to a batch of waiting writes, at most one per grain state (a later one waits for the next batch).</summary>
    protected override List<Pending> TakeWaiting()
    {
        var batch = new List<Pending>(Math.Min(batchSize, _queue.Count));
        var grains = new HashSet<GrainStateKey>();
        for (var node = _queue.First; node is not null && batch.Count < batchSize;)
        {
            var next = node.Next;
            if (grains.Add(node.Value.Write.Grain))
            {
                _queue.Remove(node);
                node.Value.Node = null;
                batch.Add(node.Value);
            }
            node = next;
        }
        return batch;
    }

    protected override async Task RunBatchAsync(List<Pending> batch)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var outcomes = await store.CommitAsync([.. batch.Select(p => p.Write)], CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _transactions);
            Telemetry.OrchestratorMetrics.CommitDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            Telemetry.OrchestratorMetrics.CommitBatchSize.Record(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(outcomes[i]);
            }
        }
        catch (Exception ex)
        {
            Telemetry.OrchestratorMetrics.CommitFailures.Add(1);
            // The transaction rolled back (or its commit's outcome is unknown, and then it is all or nothing):
            // every write of the batch reports the failure, and its grain retries.
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }
        }
    }

    internal sealed class Pending(GrainStateWrite write)
    {
        public GrainStateWrite Write { get; } = write;

        public TaskCompletionSource<GrainWriteOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Its place in the queue while it waits; null once taken into a batch (or cancelled).</summary>
        public LinkedListNode<Pending>? Node { get; set; }
    }
}
