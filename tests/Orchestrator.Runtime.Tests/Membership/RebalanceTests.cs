using Orchestrator.Runtime.Silos;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.TestGrains;

namespace Orchestrator.Runtime.Tests.Membership;

/// <summary>Shards follow membership: spread over silos that join, handed off gracefully by silos that leave.</summary>
public sealed class RebalanceTests : PostgresClusterTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Shards_SpreadOverJoiningSilos_AndAGracefulLeaveHandsThemOffWithoutWaitingForTheLease()
    {
        // A long lease: if the leaving silo did not release its shards, the others would wait a minute for them.
        await using var cluster = await StartClusterAsync(1, configure: o => { o.LeaseTime = TimeSpan.FromMinutes(1); o.ShardCount = 32; });
        var first = cluster.Silos[0];
        Assert.Equal(32, first.Shards.Count);

        await cluster.StartSiloAsync();
        await cluster.StartSiloAsync();
        await cluster.WaitForStableAsync(Wait);
        Assert.All(cluster.RunningSilos, s => Assert.InRange(s.Shards.Count, 4, 20));
        Assert.Equal(32, cluster.RunningSilos.Sum(s => s.Shards.Count));

        var counters = Enumerable.Range(0, 50).Select(i => cluster.Client.GetGrain<ICounterGrain>($"c{i}")).ToList();
        foreach (var counter in counters)
        {
            await counter.Add(1);
        }
        var leaving = cluster.RunningSilos[1];
        await cluster.StopSiloAsync(leaving);
        Assert.Equal(SiloLifecycle.Stopped, leaving.Lifecycle);
        Assert.Empty(leaving.Shards);
        await cluster.WaitForStableAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(32, cluster.RunningSilos.Sum(s => s.Shards.Count));

        foreach (var counter in counters)
        {
            await counter.Add(1);
        }
        foreach (var counter in counters)
        {
            var state = await Eventually.Until(counter.GetState, s => s.Value == 2, Wait, "both commands applied");
            Assert.Equal([0L, 1L], state.Versions);
        }
    }

    [Fact]
    public async Task AfterEverySiloWasKilled_ANewSiloJoinsAtOnceAndTakesAllShardsWithinTheLease()
    {
        var lease = TimeSpan.FromSeconds(3);
        await using var cluster = await StartClusterAsync(3, configure: o => { o.LeaseTime = lease; o.ShardCount = 32; });
        await cluster.WaitForStableAsync(Wait);
        var counter = cluster.Client.GetGrain<ICounterGrain>("survivor");
        await counter.Add(1);
        await Eventually.Until(counter.GetValue, v => v == 1, Wait, "first command applied");

        foreach (var silo in cluster.RunningSilos)
        {
            await cluster.KillSiloAsync(silo);
        }
        await counter.Add(1); // accepted with no silo alive: it waits in the inbox
        var started = TimeProvider.System.GetTimestamp();
        var newcomer = await cluster.StartSiloAsync(); // the dead silos' rows are still "active": they must not block it

        await cluster.WaitForStableAsync(Wait);
        var took = TimeProvider.System.GetElapsedTime(started);
        Assert.Equal(32, newcomer.Shards.Count);
        Assert.True(took < lease * 4, $"took {took} to own every shard with a {lease} lease");
        var state = await Eventually.Until(counter.GetState, s => s.Value == 2, Wait, "the command sent while no silo was alive");
        Assert.Equal([0L, 1L], state.Versions);
    }
}
