namespace Orchestrator.Silo.Shutdown;

/// <summary>
/// Makes the Orleans part of the stop visible: when the silo's own stop begins (its <c>Active</c> stage stops, after
/// the web server closed) it logs how many grain activations it holds, and once Orleans has deactivated them (the
/// <c>BecomeActive</c> stage, where the catalog deactivates every activation with <c>ShuttingDown</c>, has stopped)
/// how long that took and how far into the drain time it ended. The silo then leaves the membership (marks itself
/// dead) in its later stages, so the other silos take its grains over at their next call.
/// </summary>
public sealed partial class DrainLog(ShutdownBudget budget, IGrainFactory grains, ILocalSiloDetails local, TimeProvider clock, ILogger<DrainLog> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The longest the activation count may take; a silo too busy to answer is drained all the same.</summary>
    public static readonly TimeSpan CountTimeout = TimeSpan.FromSeconds(2);

    private long _deactivating;
    private int _activations = -1;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(DrainLog), ServiceLifecycleStage.Active, _ => Task.CompletedTask, BeginAsync);
        lifecycle.Subscribe(nameof(DrainLog), ServiceLifecycleStage.BecomeActive - 1, _ => Task.CompletedTask, EndAsync);
    }

    private async Task BeginAsync(CancellationToken cancellationToken)
    {
        budget.Start(); // a stop that did not come through the host (it normally started already)
        _activations = await CountAsync(cancellationToken).ConfigureAwait(false);
        _deactivating = clock.GetTimestamp();
        Log.Deactivating(logger, _activations, budget.Elapsed, budget.Until(budget.SiloLimit));
    }

    private Task EndAsync(CancellationToken cancellationToken)
    {
        var took = _deactivating == 0 ? TimeSpan.Zero : clock.GetElapsedTime(_deactivating);
        if (cancellationToken.IsCancellationRequested)
        {
            Log.DrainCut(logger, _activations, took, budget.Elapsed);
        }
        else
        {
            Log.Drained(logger, _activations, took, budget.Elapsed);
        }
        return Task.CompletedTask;
    }

    /// <summary>This silo's grain activations (Orleans' own statistics of this silo); -1 when they cannot be read in time.</summary>
    private async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        try
        {
            var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics([local.SiloAddress], cancellationToken)
                .WaitAsync(CountTimeout, cancellationToken).ConfigureAwait(false);
            return statistics.Sum(s => s.ActivationCount);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.CountFailed(logger, ex.Message);
            return -1;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7004, Level = LogLevel.Information,
            Message = "Stopping: deactivating {Activations} grain activations ({Elapsed} into the stop, {Left} left for the hand-off)")]
        public static partial void Deactivating(ILogger logger, int activations, TimeSpan elapsed, TimeSpan left);

        [LoggerMessage(EventId = 7005, Level = LogLevel.Information,
            Message = "Drained: {Activations} grain activations deactivated in {Took} ({Elapsed} into the stop); leaving the membership")]
        public static partial void Drained(ILogger logger, int activations, TimeSpan took, TimeSpan elapsed);

        [LoggerMessage(EventId = 7006, Level = LogLevel.Warning,
            Message = "Drained: cut short after {Took} ({Elapsed} into the stop), not every one of {Activations} grain activations deactivated; the other silos take the rest over as after a crash")]
        public static partial void DrainCut(ILogger logger, int activations, TimeSpan took, TimeSpan elapsed);

        [LoggerMessage(EventId = 7007, Level = LogLevel.Warning, Message = "Stopping: could not count the grain activations: {Problem}")]
        public static partial void CountFailed(ILogger logger, string problem);
    }
}
