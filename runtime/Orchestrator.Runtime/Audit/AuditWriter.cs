using Orchestrator.Runtime.Persistence.GrainState;

namespace Orchestrator.Runtime.Audit;

/// <summary>
/// Group commit for the audit log: appends from concurrent requests share transactions, as grain writes do
/// (<c>GroupCommitter</c>). An append that finds a slot free commits at once; appends arriving while every slot is busy
/// go together in the next transaction (up to <see cref="BatchSize"/>), so under load one commit (one WAL flush)
/// serves many requests and when idle nothing waits for a timer. A failed transaction fails exactly its batch.
/// </summary>
public sealed class AuditWriter
{
    /// <summary>Most entries one transaction takes.</summary>
    public const int BatchSize = 500;

    private readonly Runner _runner;

    /// <param name="store">Where the rows go.</param>
    /// <param name="concurrency">Transactions at once at the most (1 on SQLite, which has one writer anyway).</param>
    public AuditWriter(IAuditStore store, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(store);
        _runner = new Runner(store, concurrency);
    }

    /// <summary>Transactions committed so far (appends per transaction is the point of the class).</summary>
    public long Transactions => _runner.Transactions;

    /// <summary>
    /// Completes once the entry is committed (or throws the store's failure). Cancelling stops the wait, not the
    /// write: an entry that joined the queue is written anyway.
    /// </summary>
    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _runner.Submit(entry.Normalized()).WaitAsync(cancellationToken);
    }

    private sealed class Runner(IAuditStore store, int concurrency) : BatchRunner<Runner.Pending>(concurrency)
    {
        private readonly Queue<Pending> _queue = new();
        private long _transactions;

        public long Transactions => Interlocked.Read(ref _transactions);

        public Task Submit(AuditEntry entry)
        {
            var pending = new Pending(entry);
            Add(() => _queue.Enqueue(pending));
            return pending.Completion.Task;
        }

        protected override List<Pending> TakeWaiting()
        {
            var batch = new List<Pending>(Math.Min(BatchSize, _queue.Count));
            while (batch.Count < BatchSize && _queue.TryDequeue(out var next))
            {
                batch.Add(next);
            }
            return batch;
        }

        protected override async Task RunBatchAsync(List<Pending> batch)
        {
            try
            {
                await store.AppendAsync([.. batch.Select(p => p.Entry)], CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _transactions);
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetResult();
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

        internal sealed record Pending(AuditEntry Entry)
        {
            public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
