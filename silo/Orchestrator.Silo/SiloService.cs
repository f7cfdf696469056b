using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Messaging;

namespace Orchestrator.Silo;

/// <summary>Runs the silo inside the web host: starts it with the host and hands its shards off on SIGTERM.</summary>
public sealed class SiloService(RuntimeOptions options, GrainTypeRegistry registry, IServiceProvider services, ILoggerFactory loggerFactory)
    : IHostedService, IAsyncDisposable, Api.Hosting.IClusterClientProvider
{
    private SiloHost? _host;

    /// <summary>The running silo, once started.</summary>
    public SiloHost? Host => _host;

    /// <summary>The grain client the API uses; null until the silo started.</summary>
    public Runtime.Client.ClusterClient? Client => _host?.Client;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _host = await SiloHost.StartAsync(options, registry, services, TimeProvider.System, loggerFactory, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_host is not null)
        {
            await _host.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
