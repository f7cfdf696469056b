using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Runtime.Client;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Silos;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Hosting;

/// <summary>One silo and a client on its store: what a host process runs. Migrates the schema on start.</summary>
public sealed class SiloHost : IAsyncDisposable
{
    private readonly IRuntimeStore _store;
    private readonly IRuntimeStore _clientStore;

    private SiloHost(IRuntimeStore store, IRuntimeStore clientStore, Silo silo, ClusterClient client)
    {
        _store = store;
        _clientStore = clientStore;
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
        await store.MigrateAsync(options.ShardCount, cancellationToken).ConfigureAwait(false);
        var silo = new Silo(options, store, registry, services, clock, loggerFactory);
        await silo.StartAsync(cancellationToken).ConfigureAwait(false);
        var clientStore = StoreFactory.Create(options, loggerFactory);
        var client = new ClusterClient(clientStore, registry, services, clock, options.ShardCount);
        return new SiloHost(store, clientStore, silo, client);
    }

    /// <summary>Hands the silo's shards off and stops.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Silo.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        await Silo.DisposeAsync().ConfigureAwait(false);
        await _clientStore.DisposeAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
    }
}
