namespace Orchestrator.Agent.Hosting;

/// <summary>
/// An auto-reset wake-up for one waiting loop: a <see cref="Set"/> before the wait is remembered, so a loop that
/// checks its work, then waits, never misses work added in between (the reset happens before the loop looks again).
/// </summary>
internal sealed class AsyncSignal
{
    private readonly Lock gate = new();
    private TaskCompletionSource pending = NewSource();

    public void Set()
    {
        lock (gate)
        {
            pending.TrySetResult();
        }
    }

    /// <summary>Waits for the next <see cref="Set"/> (or one made since the last wait ended).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var task = Current();
        await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        Reset(task);
    }

    /// <summary>Waits for a <see cref="Set"/> or <paramref name="timeout"/>; true when it was set.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var task = Current();
        try
        {
            await task.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        Reset(task);
        return true;
    }

    private Task Current()
    {
        lock (gate)
        {
            return pending.Task;
        }
    }

    private void Reset(Task completed)
    {
        lock (gate)
        {
            if (pending.Task == completed)
            {
                pending = NewSource();
            }
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
