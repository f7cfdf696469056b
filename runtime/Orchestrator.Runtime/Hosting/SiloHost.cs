using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Runtime.Client;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Silos;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Hosting;

/// <summary>One silo and a client on its store: what a host process runs. Migrates the schema on start.</summary>
public sealed partial class SiloHost : IAsyncDisposable
{
    private readonly IRuntimeStore _store;
    private readonly IRuntimeStore _clientStore;
    private readonly ILogger _logger;

    private SiloHost(IRuntimeStore store, IRuntimeStore clientStore, Silo silo, ClusterClient client, ILogger logger)
    {
        _store = store;
        _clientStore = clientStore;
        _logger = logger;
        Silo = silo;
        Client = client;
    }

    public Silo Silo { get; }

    public ClusterClient Client { get; }

    public static async Task<SiloHost> StartAsync(RuntimeOptions options, GrainTypeRegistry registry, IServiceProvider services, TimeProvider clock,
        ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        options.ThrowIfInvalid();
        loggerFactory ??= NullLoggerFactory.Instance;
        var store = StoreFactory.Create(options, loggerFactory);
        Silo? silo = null;
        try
        {
            await store.MigrateAsync(options.ShardCount, cancellationToken).ConfigureAwait(false);
            silo = new Silo(options, store, registry, services, clock, loggerFactory);
            await silo.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A start cut short (SIGTERM while starting, say) leaves no pump running on a store nobody closes.
            if (silo is not null)
            {
                await silo.DisposeAsync().ConfigureAwait(false);
            }
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var clientStore = StoreFactory.Create(options, loggerFactory);
        var client = new ClusterClient(clientStore, registry, services, clock, options.ShardCount);
        return new SiloHost(store, clientStore, silo, client, loggerFactory.CreateLogger<SiloHost>());
    }

    /// <summary>Hands the silo's shards off and stops; never throws (see <see cref="Silos.Silo.StopAsync"/>).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Silo.StopAsync(cancellationToken);

    /// <summary>
    /// Stops the silo if it still runs, then closes the client and both stores, in that order: nothing writes to a
    /// store after it is closed. Never throws: a failure is logged and the rest is still closed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await DisposeStepAsync("client", Client.DisposeAsync).ConfigureAwait(false);
        await DisposeStepAsync("silo", Silo.DisposeAsync).ConfigureAwait(false);
        await DisposeStepAsync("client store", _clientStore.DisposeAsync).ConfigureAwait(false);
        await DisposeStepAsync("silo store", _store.DisposeAsync).ConfigureAwait(false);
    }

    private async Task DisposeStepAsync(string what, Func<ValueTask> dispose)
    {
        try
        {
            await dispose().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.DisposeFailed(_logger, what, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Closing the {What} failed")]
        public static partial void DisposeFailed(ILogger logger, string what, Exception exception);
    }
}
