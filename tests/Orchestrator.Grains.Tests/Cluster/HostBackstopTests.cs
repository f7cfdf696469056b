using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Hosts;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans;
using Orleans.Runtime;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// A host's liveness is checked in memory by its activation; its durable backstop is what still takes it offline when
/// the activation is lost with its silo and its agent is gone too (no heartbeat comes to activate it again).
/// </summary>
public sealed class HostBackstopTests : GrainClusterTests
{
    protected override int Silos => 2;

    [Fact]
    public async Task Backstop_SiloAndAgentBothGone_TheSweeperWakesTheHostAndItGoesOffline()
    {
        // A host whose grain lives on the second silo (the first holds the in-memory reminder table).
        var primary = Cluster.Durable.Cluster.Silos[0].SiloAddress;
        string? name = null;
        SiloAddress? holder = null;
        for (var i = 0; i < 64 && holder is null; i++)
        {
            name = $"orphan-{i}";
            await Cluster.RegisterHostAsync(name);
            var silo = await Cluster.SiloOf(Cluster.Client.GetGrain<IHostGrain>(name));
            holder = silo.Equals(primary) ? null : silo;
        }
        Assert.NotNull(holder);
        var host = Cluster.Client.GetGrain<IHostGrain>(name!);
        var id = host.GetGrainId();
        var writes = Cluster.Storage.WritesOf(id);

        // The silo dies and the agent says nothing more; nothing calls the host grain until its backstop is due.
        await Cluster.Durable.KillSiloAsync(holder!);
        Cluster.Clock.Advance(TimeSpan.FromMinutes(8));
        await Cluster.Client.GetGrain<IDurableSweeperGrain>(0).SweepNow();
        await Eventually.Until(() => Task.FromResult(Cluster.Storage.WritesOf(id)), n => n > writes, GrainCluster.Deadline, "the backstop's turn on the remaining silo");
        Assert.Equal(HostStatus.Online, Cluster.Storage.State<HostState>(id)!.Status);

        // The new activation checks from when the backstop woke it: heard (its start), silent, offline.
        var woken = Cluster.Clock.GetUtcNow();
        Assert.Equal(woken + TimeSpan.FromSeconds(90), (await host.GetAsync())!.OfflineAt);
        Cluster.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal((HostStatus.Online, 1), ((await host.GetAsync())!.Status, (await host.GetAsync())!.SilentChecks));
        Cluster.Clock.Advance(TimeSpan.FromSeconds(30));

        var view = (await Eventually.Until(host.GetAsync, v => v!.Status == HostStatus.Offline, GrainCluster.Deadline, "the host to go offline"))!;
        Assert.Null(view.SessionId);
        Assert.False(Cluster.Storage.Envelope(id)!.WakeUps.ContainsKey("liveness")); // no backstop for an offline host
    }
}
