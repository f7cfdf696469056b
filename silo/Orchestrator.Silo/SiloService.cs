using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Silo.Shutdown;

namespace Orchestrator.Silo;

/// <summary>
/// Runs the silo inside the web host: starts it with the host and hands its shards off on SIGTERM, last, after the
/// local agent drained and the web server closed. The hand-off gets what is left of the drain time; it never
/// throws, so the process exits 0 however the stop went (a hand-off cut short is logged, and the shards it did not
/// release are taken over when their leases expire).
/// </summary>
public sealed partial class SiloService(RuntimeOptions options, GrainTypeRegistry registry, ShutdownBudget budget, IServiceProvider services, ILoggerFactory loggerFactory)
    : IHostedService, IAsyncDisposable, Api.Hosting.IClusterClientProvider
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<SiloService>();
    private SiloHost? _host;

    /// <summary>The running silo, once started.</summary>
    public SiloHost? Host => _host;

    /// <summary>The grain client the API uses; null until the silo started.</summary>
    public Runtime.Client.ClusterClient? Client => _host?.Client;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _host = await SiloHost.StartAsync(options, registry, services, TimeProvider.System, loggerFactory, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_host is null)
        {
            return;
        }
        budget.Start();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(budget.Until(budget.SiloLimit));
        try
        {
            await _host.StopAsync(limit.Token);
        }
        catch (Exception ex)
        {
            // SiloHost.StopAsync does not throw; this boundary keeps it so whatever changes below.
            Log.StopFailed(_logger, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7201, Level = LogLevel.Error, Message = "Stopping the silo failed")]
        public static partial void StopFailed(ILogger logger, Exception exception);
    }
}
