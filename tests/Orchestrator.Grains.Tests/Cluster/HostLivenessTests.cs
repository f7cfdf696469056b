using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Hosts;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// A host's liveness checks (a wake-up every 30 s on the clock): two checks in a row without a heartbeat take it
/// offline and end its assignments; checks the clock jumped past are skipped, so moving the clock alone never does.
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
        var id = host.GetGrainId();
        foreach (var at in new[] { 30, 60 })
        {
            Cluster.Clock.Advance(TimeSpan.FromSeconds(30));
            await Eventually.Until(() => Task.FromResult(Cluster.Storage.State<HostState>(id)!.NextCheckAt), n => n > Cluster.Clock.GetUtcNow(), GrainCluster.Deadline, $"the check at {at} s");
            Assert.Equal(HostStatus.Online, (await host.GetAsync())!.Status);
        }
        Cluster.Clock.Advance(TimeSpan.FromSeconds(30));

        await Eventually.Until(async () => (await host.GetAsync())!.Status, s => s == HostStatus.Offline, GrainCluster.Deadline, "the host to go offline");
        var view = await Cluster.WaitInstanceAsync("run-quiet", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Failed, view!.Status);
        Assert.Equal(TargetStatus.AgentLost, (await Cluster.Client.GetGrain<IHostTargetGrain>("run-quiet:0:quiet-1").GetAsync())!.Status);
        Assert.Empty(Cluster.Assignments("quiet-1"));
    }

    [Fact]
    public async Task Heartbeat_ManyBetweenChecks_NoWriteUntilTheCheckStoresTheLatest()
    {
        await Cluster.RegisterHostAsync("chatty-1");
        const string session = "session-chatty-1";
        var host = Cluster.Client.GetGrain<IHostGrain>("chatty-1");
        var id = host.GetGrainId();
        var writes = Cluster.Storage.WritesOf(id);

        for (var i = 0; i < 20; i++)
        {
            Cluster.Clock.Advance(TimeSpan.FromMilliseconds(500));
            await host.Heartbeat(session, draining: false);
        }
        var lastHeartbeat = Cluster.Clock.GetUtcNow();

        Assert.Equal(writes, Cluster.Storage.WritesOf(id)); // twenty heartbeats, no write
        Assert.Equal(lastHeartbeat, (await host.GetAsync())!.LastSeen); // the view shows them at once
        Cluster.Clock.Advance(TimeSpan.FromSeconds(20)); // the check at 30 s takes them into the state
        await Eventually.Until(() => Task.FromResult(Cluster.Storage.State<HostState>(id)!.NextCheckAt), n => n > Cluster.Clock.GetUtcNow(), GrainCluster.Deadline, "the check at 30 s");
        var state = Cluster.Storage.State<HostState>(id)!;
        Assert.Equal((lastHeartbeat, 0, 0), (state.LastSeen, state.SilentChecks, state.HeartbeatsSinceCheck));
        Assert.Equal(writes + 1, Cluster.Storage.WritesOf(id));
    }

    [Fact]
    public async Task Liveness_ClockJumpsFarPastTheChecks_HostStaysOnline()
    {
        await Cluster.RegisterHostAsync("jumpy-1");
        var host = Cluster.Client.GetGrain<IHostGrain>("jumpy-1");
        var id = host.GetGrainId();

        // Three jumps of ten minutes, each handled (the check moves on the grid past now) with no heartbeat at all.
        for (var i = 0; i < 3; i++)
        {
            Cluster.Clock.Advance(TimeSpan.FromMinutes(10));
            await Eventually.Until(() => Task.FromResult(Cluster.Storage.State<HostState>(id)!.NextCheckAt), n => n > Cluster.Clock.GetUtcNow(), GrainCluster.Deadline, $"jump {i + 1} to be handled");
        }

        var state = Cluster.Storage.State<HostState>(id)!;
        Assert.Equal((HostStatus.Online, 0), ((await host.GetAsync())!.Status, state.SilentChecks));
        Assert.Equal(Cluster.Clock.GetUtcNow() + TimeSpan.FromSeconds(30), state.NextCheckAt); // the grid of 30 s from the registration
    }
}
