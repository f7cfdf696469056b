using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Hosts;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// A host's liveness checks (in memory, every 30 s on the clock, watched by the silo's monitor): two checks in a row
/// without a heartbeat take it offline and end its assignments; checks the clock jumped past are skipped, so moving the
/// clock alone never does; a live host writes nothing between its durable backstops, which the sweeper fires.
/// </summary>
public sealed class HostLivenessTests : GrainClusterTests
{
    [Fact]
    public async Task Liveness_AgentSilentForTwoChecks_HostOfflineAndItsRunningTargetLost()
    {
        await Cluster.RegisterHostAsync("quiet-1");
        await Cluster.RunAsync("quiet", """
            name: quiet
            steps:
              - name: greet
                targets:
                  hosts: [quiet-1]
                script: echo hello
            """, "run-quiet");
        await Cluster.AgentAsync(await Cluster.WaitAssignmentAsync("quiet-1", _ => true, "the assignment"), AgentEventType.Started);
        var host = Cluster.Client.GetGrain<IHostGrain>("quiet-1");

        // The checks at 30 s (the registration counts) and 60 s (silent) leave it online; the one at 90 s takes it offline.
        var registered = Cluster.Clock.GetUtcNow();
        foreach (var silent in new[] { 0, 1 })
        {
            Cluster.Clock.Advance(TimeSpan.FromSeconds(30));
            var view = (await host.GetAsync())!;
            Assert.Equal((HostStatus.Online, silent, registered + TimeSpan.FromSeconds(90)), (view.Status, view.SilentChecks, view.OfflineAt));
        }
        Cluster.Clock.Advance(TimeSpan.FromSeconds(30));

        await Eventually.Until(async () => (await host.GetAsync())!.Status, s => s == HostStatus.Offline, GrainCluster.Deadline, "the host to go offline");
        var done = await Cluster.WaitInstanceAsync("run-quiet", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Failed, done!.Status);
        Assert.Equal(TargetStatus.AgentLost, (await Cluster.Client.GetGrain<IHostTargetGrain>("run-quiet:0:quiet-1").GetAsync())!.Status);
        Assert.Empty(Cluster.Assignments("quiet-1"));
        var offline = (await host.GetAsync())!;
        Assert.Equal((0, null), (offline.SilentChecks, offline.OfflineAt)); // an offline host is not checked
    }

    [Fact]
    public async Task Heartbeat_ManyAcrossChecks_NoWriteUntilTheBackstopStoresTheLatest()
    {
        await Cluster.RegisterHostAsync("chatty-1");
        const string session = "session-chatty-1";
        var host = Cluster.Client.GetGrain<IHostGrain>("chatty-1");
        var id = host.GetGrainId();
        var writes = Cluster.Storage.WritesOf(id);
        var registered = Cluster.Storage.State<HostState>(id)!.LastSeen;

        // Four minutes of heartbeats every 10 s: eight checks, all of them heard, none of them written.
        for (var i = 0; i < 24; i++)
        {
            Cluster.Clock.Advance(TimeSpan.FromSeconds(10));
            await host.Heartbeat(session, draining: false);
        }
        var lastHeartbeat = Cluster.Clock.GetUtcNow();
        var view = (await host.GetAsync())!;

        Assert.Equal(writes, Cluster.Storage.WritesOf(id));
        Assert.Equal(registered, Cluster.Storage.State<HostState>(id)!.LastSeen);
        Assert.Equal((lastHeartbeat, 0), (view.LastSeen, view.SilentChecks)); // the view shows the heartbeats at once
        Assert.Equal(lastHeartbeat + TimeSpan.FromSeconds(90), view.OfflineAt); // heartbeat on a check: heard by the next

        // The backstop (5 to 7.5 minutes after the registration, fired by the sweeper) writes once, with the latest
        // heartbeat's time; the clock's jump past the checks meanwhile is not counted against the host.
        Cluster.Clock.Advance(TimeSpan.FromMinutes(4));
        await Cluster.Client.GetGrain<IDurableSweeperGrain>(0).SweepNow();
        await Eventually.Until(() => Task.FromResult(Cluster.Storage.WritesOf(id)), n => n > writes, GrainCluster.Deadline, "the backstop's write");
        Assert.Equal((writes + 1, lastHeartbeat), (Cluster.Storage.WritesOf(id), Cluster.Storage.State<HostState>(id)!.LastSeen));
        var backstop = Cluster.Storage.Envelope(id)!.WakeUps["liveness"];
        Assert.True(backstop.Swept && backstop.Due > Cluster.Clock.GetUtcNow() + TimeSpan.FromMinutes(4.9), $"the backstop moved on: {backstop}");
        Assert.Equal(HostStatus.Online, (await host.GetAsync())!.Status);
    }

    [Fact]
    public async Task Liveness_ClockJumpsFarPastTheChecks_HostStaysOnline()
    {
        await Cluster.RegisterHostAsync("jumpy-1");
        var host = Cluster.Client.GetGrain<IHostGrain>("jumpy-1");
        var start = Cluster.Clock.GetUtcNow();

        // Three jumps of ten minutes, each handled (the monitor finds the host past its offline time, the grain skips the
        // check the clock jumped past) with no heartbeat at all.
        HostView? view = null;
        for (var i = 0; i < 3; i++)
        {
            Cluster.Clock.Advance(TimeSpan.FromMinutes(10));
            view = await CheckedAsync(host, $"jump {i + 1} to be handled");
        }

        Assert.Equal((HostStatus.Online, 0), (view!.Status, view.SilentChecks));
        Assert.Equal(start + TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(90), view.OfflineAt); // the grid of 30 s from the registration
    }

    [Fact]
    public async Task Liveness_ClockJumpsPastTheOfflineCheckAtOnce_PardonedThenOfflineIfStillSilent()
    {
        await Cluster.RegisterHostAsync("pardoned-1");
        var host = Cluster.Client.GetGrain<IHostGrain>("pardoned-1");
        var registered = Cluster.Clock.GetUtcNow();

        // Two minutes at once: past the offline check (90 s) by only 30 s, but nobody was looking meanwhile.
        Cluster.Clock.Advance(TimeSpan.FromMinutes(2));
        var view = await CheckedAsync(host, "the jump to be handled");
        Assert.Equal((HostStatus.Online, registered + TimeSpan.FromSeconds(210)), (view.Status, view.OfflineAt)); // heard at 120 s

        // Still silent in steps the monitor sees: offline at the second check after the pardon.
        Cluster.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal((HostStatus.Online, 1), ((await host.GetAsync())!.Status, (await host.GetAsync())!.SilentChecks));
        Cluster.Clock.Advance(TimeSpan.FromSeconds(30));
        await Eventually.Until(async () => (await host.GetAsync())!.Status, s => s == HostStatus.Offline, GrainCluster.Deadline, "the host to go offline");
    }

    /// <summary>The host's view once the check due by now was made (it goes offline after now, or went).</summary>
    private async Task<HostView> CheckedAsync(IHostGrain host, string what)
    {
        var now = Cluster.Clock.GetUtcNow();
        return (await Eventually.Until(host.GetAsync, v => v!.Status == HostStatus.Offline || v.OfflineAt > now, GrainCluster.Deadline, what))!;
    }
}
