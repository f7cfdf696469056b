using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>
/// Group commit: turns queue here and are committed many to a transaction, so they share one round trip and one
/// WAL flush. No artificial delay — whatever queued while the previous batch was committing forms the next batch.
/// A batch that fails (a dropped connection, say) is retried whole; a retry of a turn that did commit comes back as
/// a version conflict, which makes the activation reload — never a double apply.
/// </summary>
internal sealed partial class GroupCommitter
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    private readonly SiloContext _silo;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _slots;
    private readonly Task _reader;
    private readonly CancellationToken _stopping;

    public GroupCommitter(SiloContext silo, int concurrency, CancellationToken stopping)
    {
        _silo = silo;
        _stopping = stopping;
        _slots = new SemaphoreSlim(concurrency, concurrency);
        _reader = Task.Run(RunAsync, CancellationToken.None);
    }

    public Task<CommitOutcome> CommitAsync(TurnCommit commit)
    {
        var pending = new Pending(commit, new TaskCompletionSource<CommitOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Outcome.TrySetResult(CommitOutcome.Failed);
        }
        return pending.Outcome.Task;
    }

    /// <summary>Commits what is queued, then stops.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _reader;
    }

    /// <summary>
    /// One reader (so that the thousands of activations writing to the queue never contend on a lock) forms batches
    /// and hands each to a commit slot; up to the configured number of transactions are in flight at once.
    /// </summary>
    private async Task RunAsync()
    {
        var inFlight = new List<Task>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping))
            {
                await _slots.WaitAsync(_stopping);
                var batch = new List<Pending>(_silo.Options.CommitBatchSize);
                while (batch.Count < _silo.Options.CommitBatchSize && _queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(CommitInSlotAsync(batch));
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        await Task.WhenAll(inFlight);
        while (_queue.Reader.TryRead(out var rest))
        {
            rest.Outcome.TrySetResult(CommitOutcome.Failed);
        }
    }

    private async Task CommitInSlotAsync(List<Pending> batch)
    {
        try
        {
            await _silo.Gate.WaitAsync(_stopping);
            await CommitBatchAsync(batch);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            foreach (var pending in batch)
            {
                pending.Outcome.TrySetResult(CommitOutcome.Failed); // no-op for those already decided
            }
            _slots.Release();
        }
    }

    private async Task CommitBatchAsync(List<Pending> batch)
    {
        var commits = batch.Select(p => p.Commit).ToList();
        var outcomes = await TryCommitAsync(commits, retries: RetryDelays);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Outcome.TrySetResult(outcomes?[i] ?? CommitOutcome.Failed);
        }
    }

    /// <summary>
    /// Commits the batch, retrying the whole batch after a failure (a dropped connection, say). Retrying is safe:
    /// a turn whose first attempt did commit comes back as a version conflict or already-consumed, never twice.
    /// </summary>
    private async Task<IReadOnlyList<CommitOutcome>?> TryCommitAsync(List<TurnCommit> commits, TimeSpan[] retries)
    {
        for (var attempt = 0; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var outcomes = await _silo.Store.CommitAsync(_silo.SiloId, commits, _stopping);
                _silo.Metrics.Committed(commits.Count, Stopwatch.GetElapsedTime(started));
                return outcomes;
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested && attempt < retries.Length)
            {
                Log.BatchFailed(_silo.Logger, commits.Count, attempt + 1, ex);
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                Log.GaveUp(_silo.Logger, commits.Count, ex);
                return null;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            try
            {
                await Task.Delay(retries[attempt], TimeProvider.System, _stopping);
                await _silo.Gate.WaitAsync(_stopping);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    private sealed record Pending(TurnCommit Commit, TaskCompletionSource<CommitOutcome> Outcome);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Commit of {Count} turns failed (attempt {Attempt}); retrying the batch")]
        public static partial void BatchFailed(ILogger logger, int count, int attempt, Exception exception);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Commit of {Count} turns failed after every retry; their activations reload")]
        public static partial void GaveUp(ILogger logger, int count, Exception exception);
    }
}
