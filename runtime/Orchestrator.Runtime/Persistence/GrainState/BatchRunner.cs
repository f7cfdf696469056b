namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// What group commit and group reads share: requests wait in a queue of the subclass; while fewer than
/// <see cref="Concurrency"/> batches run, the waiting requests go as one batch at once; when every slot is busy they
/// wait, and the next free slot takes them together. So under load one round trip serves many grains, and when idle
/// nothing waits for a timer. Batches run off the caller's thread: a grain's scheduler never runs another batch's I/O.
/// </summary>
/// <typeparam name="TPending">A waiting request.</typeparam>
internal abstract class BatchRunner<TPending>(int concurrency)
{
    private int _inFlight;

    /// <summary>Guards the subclass's queue; <see cref="TakeWaiting"/> runs under it.</summary>
    protected Lock Sync { get; } = new();

    /// <summary>Batches run at once at the most.</summary>
    public int Concurrency { get; } = Math.Max(1, concurrency);

    /// <summary>Adds a request (under the lock) and starts a batch if a slot is free.</summary>
    protected void Add(Action enqueue)
    {
        List<TPending>? batch;
        lock (Sync)
        {
            enqueue();
            batch = TakeBatch();
        }
        if (batch is not null)
        {
            Start(batch);
        }
    }

    /// <summary>The requests the next batch takes out of the queue (called under the lock); empty when none wait.</summary>
    protected abstract List<TPending> TakeWaiting();

    /// <summary>Runs one batch and gives each of its requests its outcome, or the batch's failure.</summary>
    protected abstract Task RunBatchAsync(List<TPending> batch);

    private List<TPending>? TakeBatch()
    {
        if (_inFlight >= Concurrency)
        {
            return null;
        }
        var batch = TakeWaiting();
        if (batch.Count == 0)
        {
            return null;
        }
        _inFlight++;
        return batch;
    }

    private void Start(List<TPending> batch) => _ = Task.Run(() => RunAsync(batch));

    private async Task RunAsync(List<TPending> batch)
    {
        try
        {
            await RunBatchAsync(batch).ConfigureAwait(false);
        }
        finally
        {
            List<TPending>? next;
            lock (Sync)
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
}
