using Orchestrator.Runtime.Persistence.GrainState;

namespace Orchestrator.Runtime.Tests.Persistence;

/// <summary>The group committer's queueing on a store whose transactions the test opens and closes.</summary>
public sealed class GroupCommitterTests
{
    private static GrainStateWrite Write(string key) => new(new GrainStateKey("step", key, "state"), null, "{}", []);

    [Fact]
    public async Task SubmitAsync_WhileATransactionRuns_QueuesWritesIntoTheNextBatchWithoutRepeatingAGrain()
    {
        var store = new GatedStore();
        var committer = new GroupCommitter(store, batchSize: 100, concurrency: 1);

        var first = committer.SubmitAsync(Write("a"), CancellationToken.None);
        await store.Started.WaitAsync(TimeSpan.FromSeconds(10));
        var waiting = new[] { Write("b"), Write("c"), Write("b"), Write("d") }.Select(w => committer.SubmitAsync(w, CancellationToken.None)).ToArray();
        store.Open();
        await Task.WhenAll(waiting.Append(first));

        Assert.Equal(["a"], store.Batches[0]);
        Assert.Equal(["b", "c", "d"], store.Batches[1]);
        Assert.Equal(["b"], store.Batches[2]);
        Assert.Equal(3, committer.Transactions);
    }

    [Fact]
    public async Task SubmitAsync_TransactionFails_FailsExactlyItsBatchAndTheNextOneCommits()
    {
        var store = new GatedStore { FailNext = true };
        var committer = new GroupCommitter(store, batchSize: 100, concurrency: 1);

        var first = committer.SubmitAsync(Write("a"), CancellationToken.None);
        await store.Started.WaitAsync(TimeSpan.FromSeconds(10));
        var second = committer.SubmitAsync(Write("b"), CancellationToken.None);
        store.Open();

        Assert.Equal("connection reset", (await Assert.ThrowsAsync<IOException>(() => first)).Message);
        Assert.True((await second).Applied);
    }

    [Fact]
    public async Task SubmitAsync_CancelledWhileQueued_NeverReachesTheStore()
    {
        var store = new GatedStore();
        var committer = new GroupCommitter(store, batchSize: 100, concurrency: 1);
        using var cancel = new CancellationTokenSource();

        var first = committer.SubmitAsync(Write("a"), CancellationToken.None);
        await store.Started.WaitAsync(TimeSpan.FromSeconds(10));
        var queued = committer.SubmitAsync(Write("b"), cancel.Token);
        await cancel.CancelAsync();
        store.Open();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        await first;
        Assert.DoesNotContain(store.Batches, b => b.Contains("b"));
    }

    /// <summary>Holds its first transaction until <see cref="Open"/>; records every batch's keys.</summary>
    private sealed class GatedStore : IGrainStateStore
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool FailNext { get; set; }

        public List<List<string>> Batches { get; } = [];

        public Task Started => _started.Task;

        public int MaxConcurrency => int.MaxValue;

        public void Open() => _gate.TrySetResult();

        public Task<IReadOnlyDictionary<GrainStateKey, StoredGrainState>> ReadManyAsync(IReadOnlyList<GrainStateKey> grains, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<GrainStateKey, StoredGrainState>>(new Dictionary<GrainStateKey, StoredGrainState>());

        public async Task<GrainWriteOutcome[]> CommitAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken)
        {
            lock (Batches)
            {
                Batches.Add([.. writes.Select(w => w.Grain.Key)]);
            }
            _started.TrySetResult();
            await _gate.Task;
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("connection reset");
            }
            return [.. writes.Select(_ => GrainWriteOutcome.Committed(1))];
        }
    }
}
