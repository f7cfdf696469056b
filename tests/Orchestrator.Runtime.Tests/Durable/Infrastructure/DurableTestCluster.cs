using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Durable.Infrastructure;

/// <summary>How a <see cref="DurableTestCluster"/> starts.</summary>
public sealed class DurableClusterOptions
{
    public int Silos { get; init; } = 1;

    /// <summary>The orchestrator clock (keyed Grains and Reminders clock); a manual one makes time move only when the test says.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The shared "database"; a fresh one per cluster unless given.</summary>
    public InMemoryGrainStorage Storage { get; init; } = new();

    public Action<DurableOptions>? Durable { get; init; }
}

/// <summary>
/// An Orleans <see cref="InProcessTestCluster"/> for durable grains: N silos sharing one storage (the in-memory stand-in
/// until the storage provider lands), one dead-letter sink and one <see cref="TestProbe"/>; the orchestrator clock as the
/// keyed Grains and Reminders clock; Orleans' in-memory reminders; fast failure detection so a killed silo is declared
/// dead in seconds. The engine's fixture grows from this at the switch.
/// </summary>
public sealed class DurableTestCluster : IAsyncDisposable
{
    private DurableTestCluster(InProcessTestCluster cluster, DurableClusterOptions options, InMemoryDeadLetterSink deadLetters, TestProbe probe)
    {
        Cluster = cluster;
        Options = options;
        DeadLetters = deadLetters;
        Probe = probe;
    }

    public InProcessTestCluster Cluster { get; }

    public DurableClusterOptions Options { get; }

    public IClusterClient Client => Cluster.Client;

    public InMemoryGrainStorage Storage => Options.Storage;

    public InMemoryDeadLetterSink DeadLetters { get; }

    public TestProbe Probe { get; }

    public static async Task<DurableTestCluster> StartAsync(DurableClusterOptions? options = null)
    {
        options ??= new DurableClusterOptions();
        var deadLetters = new InMemoryDeadLetterSink();
        var probe = new TestProbe();
        var builder = new InProcessTestClusterBuilder((short)options.Silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddOrchestratorClock(options.Clock);
            silo.Services.AddKeyedSingleton<IGrainStorage>("Default", options.Storage);
            silo.Services.AddSingleton<IIndexReader>(options.Storage);
            silo.Services.AddSingleton<IDeadLetterSink>(deadLetters);
            silo.Services.AddSingleton(probe);
            silo.AddIncomingGrainCallFilter(new DeliveryCounter(probe));
            silo.UseInMemoryReminderService();
            silo.AddDurableGrains(durable =>
            {
                durable.SweepInterval = TimeSpan.FromSeconds(5);
                durable.SweepGrace = TimeSpan.FromSeconds(10);
                options.Durable?.Invoke(durable);
            });
            silo.Configure<ClusterMembershipOptions>(membership =>
            {
                membership.ProbeTimeout = TimeSpan.FromMilliseconds(500);
                membership.NumMissedProbesLimit = 2;
                membership.NumVotesForDeathDeclaration = 1;
            });
            silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromSeconds(10)));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new DurableTestCluster(cluster, options, deadLetters, probe);
    }

    public TGrain Grain<TGrain>(string key)
        where TGrain : IGrainWithStringKey =>
        Client.GetGrain<TGrain>(key);

    public static GrainId IdOf(IAddressable grain) => grain.GetGrainId();

    /// <summary>Kills (no graceful stop) the silo at <paramref name="address"/> and waits until the others declare it dead.</summary>
    public async Task KillSiloAsync(SiloAddress address)
    {
        var silo = Cluster.Silos.Single(s => s.SiloAddress.Equals(address));
        await Cluster.KillSiloAsync(silo);
        var management = Client.GetGrain<IManagementGrain>(0);
        await Eventually.Until(
            async () => (await management.GetHosts(onlyActive: true)).Keys.ToList(),
            active => !active.Contains(address),
            TimeSpan.FromSeconds(60),
            $"silo {address} to be declared dead");
    }

    /// <summary>Starts one more silo (a restarted one joins under a new address, as a restarted pod does).</summary>
    public Task<InProcessSiloHandle> StartSiloAsync() => Cluster.StartAdditionalSiloAsync();

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
