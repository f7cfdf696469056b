namespace Orchestrator.Runtime.Silos;

/// <summary>An auto-reset wake-up: <see cref="Set"/> ends the current (or next) wait early.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => Volatile.Read(ref _tcs).TrySetResult();

    /// <summary>Waits for a <see cref="Set"/> or the timeout, whichever is first; then re-arms.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tcs = Volatile.Read(ref _tcs);
        if (!tcs.Task.IsCompleted)
        {
            await Task.WhenAny(tcs.Task, Task.Delay(timeout, TimeProvider.System, cancellationToken)).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (tcs.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), tcs);
        }
    }
}
