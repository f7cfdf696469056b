using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Runtime.Client;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Silos;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Testing;

/// <summary>Settings of an in-process test cluster.</summary>
public sealed class TestClusterOptions
{
    /// <summary>The runtime options every silo starts with (store, connection string, shard count, lease time…).</summary>
    public required RuntimeOptions Runtime { get; init; }

    public required GrainTypeRegistry Registry { get; init; }

    public int InitialSilos { get; init; } = 1;

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public IServiceProvider? Services { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>
/// N silos on one store in one process, like Orleans' TestingHost, with the faults a real cluster meets: a
/// graceful stop, a kill (no lease released, connections dropped), a freeze past the lease, then a resume. Each
/// silo has its own store instance (own connection pool), as separate processes would. Fidelity limits: silos
/// share a process, its thread pool and its clock.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly List<(Silo Silo, IRuntimeStore Store)> _silos = [];
    private readonly IRuntimeStore _clientStore;
    private int _next;

    private TestCluster(TestClusterOptions options, IRuntimeStore clientStore)
    {
        _options = options;
        _services = options.Services ?? new ServiceCollection().BuildServiceProvider();
        _loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _clientStore = clientStore;
        Client = new ClusterClient(clientStore, options.Registry, _services, options.Clock, options.Runtime.ShardCount);
    }

    public ClusterClient Client { get; }

    /// <summary>Every silo started, in order, whatever became of it.</summary>
    public IReadOnlyList<Silo> Silos => [.. _silos.Select(s => s.Silo)];

    /// <summary>Silos still running (frozen ones included).</summary>
    public IReadOnlyList<Silo> RunningSilos => [.. Silos.Where(s => s.Lifecycle == SiloLifecycle.Running)];

    public static async Task<TestCluster> StartAsync(TestClusterOptions options, CancellationToken cancellationToken = default)
    {
        options.Runtime.ThrowIfInvalid();
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var clientStore = StoreFactory.Create(options.Runtime, loggerFactory);
        await clientStore.MigrateAsync(options.Runtime.ShardCount, cancellationToken).ConfigureAwait(false);
        var cluster = new TestCluster(options, clientStore);
        for (var i = 0; i < options.InitialSilos; i++)
        {
            await cluster.StartSiloAsync(cancellationToken).ConfigureAwait(false);
        }
        return cluster;
    }

    /// <summary>Starts one more silo (Orleans' <c>StartAdditionalSiloAsync</c>).</summary>
    public async Task<Silo> StartSiloAsync(CancellationToken cancellationToken = default)
    {
        var options = _options.Runtime.Clone();
        options.SiloName = $"silo{_next++}";
        var store = StoreFactory.Create(options, _loggerFactory);
        var silo = new Silo(options, store, _options.Registry, _services, _options.Clock, _loggerFactory);
        lock (_silos)
        {
            _silos.Add((silo, store));
        }
        await silo.StartAsync(cancellationToken).ConfigureAwait(false);
        return silo;
    }

    /// <summary>Graceful stop: the silo hands its shards off.</summary>
    public Task StopSiloAsync(Silo silo, CancellationToken cancellationToken = default) => silo.StopAsync(cancellationToken);

    /// <summary>Hard kill: no hand-off, no lease release; its connections are dropped. Others take over after the lease.</summary>
    public async Task KillSiloAsync(Silo silo)
    {
        silo.Kill();
        await StoreOf(silo).DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Freezes the silo: no lease renewal, no turns, no commits, until <see cref="Resume"/>.</summary>
    public void Freeze(Silo silo) => silo.Freeze();

    public void Resume(Silo silo) => silo.Resume();

    /// <summary>
    /// Waits until every shard is held by exactly the running, unfrozen silo that rendezvous hashing assigns it,
    /// in memory and in the lease table.
    /// </summary>
    public async Task WaitForStableAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        var seen = "";
        while (TimeProvider.System.GetElapsedTime(deadline) < timeout)
        {
            var live = RunningSilos.Where(s => !s.IsFrozen).ToList();
            var ids = live.Select(s => s.SiloId).ToList();
            var leases = await _clientStore.ReadLeasesAsync(cancellationToken).ConfigureAwait(false);
            var misplaced = ids.Count == 0 ? leases.Count : leases.Count(l => l.Owner != Silo.RendezvousOwner(l.Shard, ids)
                || !live.First(s => s.SiloId == l.Owner).Shards.Any(h => h.Shard == l.Shard && h.Epoch == l.Epoch));
            if (misplaced == 0)
            {
                return;
            }
            seen = $"{misplaced} of {leases.Count} shards not yet with their owner among {ids.Count} live silos";
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"The cluster did not stabilise within {timeout}: {seen}.");
    }

    private IRuntimeStore StoreOf(Silo silo)
    {
        lock (_silos)
        {
            return _silos.First(s => ReferenceEquals(s.Silo, silo)).Store;
        }
    }

    internal IRuntimeStore ClientStore => _clientStore;

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        foreach (var (silo, store) in _silos)
        {
            if (silo.Lifecycle == SiloLifecycle.Running)
            {
                silo.Kill();
            }
            await silo.DisposeAsync().ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
        }
        await Client.DisposeAsync().ConfigureAwait(false);
        await _clientStore.DisposeAsync().ConfigureAwait(false);
    }
}
