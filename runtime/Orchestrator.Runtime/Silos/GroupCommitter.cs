using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>
/// Group commit: turns queue here and are committed many to a transaction, so they share one round trip and one
/// WAL flush. No artificial delay — whatever queued while the previous batch was committing forms the next batch.
/// A batch that fails (a dropped connection, say) is retried turn by turn; a retry of a turn that did commit comes
/// back as a version conflict, which makes the activation reload — never a double apply.
/// </summary>
internal sealed partial class GroupCommitter
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    private readonly SiloContext _silo;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _workers;
    private readonly CancellationToken _stopping;

    public GroupCommitter(SiloContext silo, int concurrency, CancellationToken stopping)
    {
        _silo = silo;
        _stopping = stopping;
        _workers = [.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(RunAsync))];
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
        return Task.WhenAll(_workers);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_silo.Options.CommitBatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping))
            {
                while (batch.Count < _silo.Options.CommitBatchSize && _queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                await _silo.Gate.WaitAsync(_stopping);
                await CommitBatchAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        foreach (var pending in batch)
        {
            pending.Outcome.TrySetResult(CommitOutcome.Failed);
        }
        while (_queue.Reader.TryRead(out var rest))
        {
            rest.Outcome.TrySetResult(CommitOutcome.Failed);
        }
    }

    private async Task CommitBatchAsync(List<Pending> batch)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var outcomes = await _silo.Store.CommitAsync(_silo.SiloId, [.. batch.Select(p => p.Commit)], _stopping);
            _silo.Metrics.Committed(batch.Count, Stopwatch.GetElapsedTime(started));
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Outcome.TrySetResult(outcomes[i]);
            }
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            Log.BatchFailed(_silo.Logger, batch.Count, ex);
            foreach (var pending in batch)
            {
                pending.Outcome.TrySetResult(await RetryAloneAsync(pending.Commit));
            }
        }
    }

    private async Task<CommitOutcome> RetryAloneAsync(TurnCommit commit)
    {
        foreach (var delay in RetryDelays)
        {
            try
            {
                await Task.Delay(delay, TimeProvider.System, _stopping);
                await _silo.Gate.WaitAsync(_stopping);
                return (await _silo.Store.CommitAsync(_silo.SiloId, [commit], _stopping))[0];
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                Log.RetryFailed(_silo.Logger, commit.Grain.ToString(), ex);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return CommitOutcome.Failed;
    }

    private sealed record Pending(TurnCommit Commit, TaskCompletionSource<CommitOutcome> Outcome);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Commit of {Count} turns failed; retrying them one by one")]
        public static partial void BatchFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Commit retry for grain {Grain} failed")]
        public static partial void RetryFailed(ILogger logger, string grain, Exception exception);
    }
}
