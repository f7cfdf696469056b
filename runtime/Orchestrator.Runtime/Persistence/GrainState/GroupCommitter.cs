namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// Group commit: writes from many grains queue here and share transactions. A write that arrives while a
/// transaction slot is free commits at once; writes that arrive while every slot is busy wait and then go together,
/// up to <c>batchSize</c> per transaction, so under load one WAL flush serves many grains and when idle nothing
/// waits for a timer. Two writes of one grain state never share a batch (the later one waits for the next).
/// Each write gets its own outcome; a failed transaction fails exactly the writes of its batch.
/// </summary>
internal sealed class GroupCommitter(IGrainStateStore store, int batchSize, int concurrency)
{
    private readonly Lock _sync = new();
    private readonly LinkedList<Pending> _queue = new();
    private readonly int _concurrency = Math.Min(concurrency, store.MaxConcurrency);
    private int _inFlight;
    private long _transactions;

    /// <summary>Transactions it runs at once (the store's limit applied: 1 on SQLite).</summary>
    public int Concurrency => _concurrency;

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
        List<Pending>? batch;
        lock (_sync)
        {
            pending.Node = _queue.AddLast(pending);
            batch = TakeBatch();
        }
        if (batch is not null)
        {
            Start(batch);
        }
        await using (cancellationToken.Register(() => Cancel(pending)))
        {
            return await pending.Completion.Task.ConfigureAwait(false);
        }
    }

    private void Cancel(Pending pending)
    {
        lock (_sync)
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

    /// <summary>The next batch if a slot is free and writes wait (called under the lock); it takes the slot.</summary>
    private List<Pending>? TakeBatch()
    {
        if (_inFlight >= _concurrency || _queue.Count == 0)
        {
            return null;
        }
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
        _inFlight++;
        return batch;
    }

    // Off the submitter's thread: a grain's scheduler must not run another batch's database I/O.
    private void Start(List<Pending> batch) => _ = Task.Run(() => RunAsync(batch));

    private async Task RunAsync(List<Pending> batch)
    {
        try
        {
            var outcomes = await store.CommitAsync([.. batch.Select(p => p.Write)], CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _transactions);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(outcomes[i]);
            }
        }
        catch (Exception ex)
        {
            // The transaction rolled back (or its commit's outcome is unknown, and then it is all or nothing):
            // every write of the batch reports the failure, and its grain retries.
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

    private sealed class Pending(GrainStateWrite write)
    {
        public GrainStateWrite Write { get; } = write;

        public TaskCompletionSource<GrainWriteOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Its place in the queue while it waits; null once taken into a batch (or cancelled).</summary>
        public LinkedListNode<Pending>? Node { get; set; }
    }
}
