using System.Threading.Channels;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Client;

/// <summary>
/// Group commit for client commands: concurrent sends are stored together in one statement and one transaction;
/// each send's task completes only after that transaction committed, so an acknowledged command is durable.
/// </summary>
internal sealed class EnqueueBatcher : IAsyncDisposable
{
    private const int MaxBatch = 2000;
    private readonly IRuntimeStore _store;
    private readonly Channel<(OutgoingMessage Message, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(OutgoingMessage, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;

    public EnqueueBatcher(IRuntimeStore store, int concurrency)
    {
        _store = store;
        _workers = [.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(RunAsync))];
    }

    public Task EnqueueAsync(OutgoingMessage message)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((message, done)))
        {
            done.SetException(new ObjectDisposedException(nameof(EnqueueBatcher)));
        }
        return done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<(OutgoingMessage Message, TaskCompletionSource Done)>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                try
                {
                    await _store.EnqueueAsync([.. batch.Select(b => b.Message)], _stopping.Token).ConfigureAwait(false);
                    foreach (var item in batch)
                    {
                        item.Done.TrySetResult();
                    }
                }
                catch (Exception ex)
                {
                    // Not acknowledged: the caller sees the failure and may resend with the same dedupe key.
                    foreach (var item in batch)
                    {
                        item.Done.TrySetException(ex);
                    }
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var item in batch)
        {
            item.Done.TrySetCanceled();
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        _stopping.Dispose();
        while (_queue.Reader.TryRead(out var item))
        {
            item.Done.TrySetCanceled();
        }
    }
}
