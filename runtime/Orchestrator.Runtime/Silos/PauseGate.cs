namespace Orchestrator.Runtime.Silos;

/// <summary>
/// Lets the test cluster freeze a silo as a long GC pause or a lost network would: its loops and commits wait here,
/// then carry on with stale beliefs when resumed, which fencing must make harmless.
/// </summary>
internal sealed class PauseGate
{
    private volatile TaskCompletionSource _open = Opened();

    public bool IsPaused => !_open.Task.IsCompleted;

    public void Pause()
    {
        if (_open.Task.IsCompleted)
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Resume() => _open.TrySetResult();

    public Task WaitAsync(CancellationToken cancellationToken) =>
        _open.Task.IsCompleted ? Task.CompletedTask : _open.Task.WaitAsync(cancellationToken);

    private static TaskCompletionSource Opened()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }
}
