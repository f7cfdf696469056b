using Npgsql;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Reminders;
using Orchestrator.Runtime.Silos;
using Orchestrator.Runtime.Testing;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.TestGrains;
using Xunit.Abstractions;

namespace Orchestrator.Runtime.Tests.Faults;

/// <summary>
/// The promise under faults, on a 3-silo PostgreSQL cluster: silos killed and frozen past their lease, database
/// connections terminated mid-commit, two silos believing they own one shard. After each run an invariant check:
/// every counter equals the number of distinct messages sent to it, every grain's versions are gap-free, each
/// reminder due time fired once, no dead letters.
/// </summary>
public sealed class ClusterFaultTests(ITestOutputHelper output) : PostgresClusterTestBase
{
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Messages_WhileSilosAreKilledAndFrozen_AreAppliedExactlyOnce()
    {
        const int counters = 1_000;
        const int messages = 100_000;
        var lease = TimeSpan.FromSeconds(2);
        await using var cluster = await StartClusterAsync(3, configure: o => { o.LeaseTime = lease; o.ShardCount = 32; });
        await cluster.WaitForStableAsync(TimeSpan.FromSeconds(30));

        using var stopChaos = new CancellationTokenSource();
        var chaos = Task.Run(() => ChaosAsync(cluster, lease, new Random(20261121), stopChaos.Token));
        await SendAllAsync(cluster, messages, i => ($"c{i % counters}", $"m{i}"));
        await stopChaos.CancelAsync();
        var actions = await chaos;
        output.WriteLine($"chaos: {string.Join(", ", actions)}");
        Assert.Contains(actions, a => a.StartsWith("kill", StringComparison.Ordinal));
        Assert.Contains(actions, a => a.StartsWith("freeze", StringComparison.Ordinal));

        await AssertCountersExactAsync(cluster, counters, messages / counters);
    }

    [Fact]
    public async Task Reminders_AcrossASiloKill_FireEachDueTimeExactlyOnce()
    {
        const int grains = 1_000;
        var period = TimeSpan.FromSeconds(1);
        await using var cluster = await StartClusterAsync(3, configure: o => { o.LeaseTime = TimeSpan.FromSeconds(2); o.ShardCount = 32; });
        await cluster.WaitForStableAsync(TimeSpan.FromSeconds(30));

        await Task.WhenAll(Enumerable.Range(0, grains).Select(i =>
            cluster.Client.GetGrain<IReminderGrain>($"r{i}").StartInterval("tick", period, period, MisfirePolicy.FireOnceNow)));
        var started = TimeProvider.System.GetTimestamp();
        await Eventually.Until(() => Task.FromResult(TimeProvider.System.GetElapsedTime(started)), e => e > TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), "10 s of ticks");
        var victim = cluster.RunningSilos[0];
        await cluster.KillSiloAsync(victim);
        await cluster.StartSiloAsync();
        output.WriteLine($"killed {victim.SiloId} at {TimeProvider.System.GetElapsedTime(started)}");
        await Eventually.Until(() => Task.FromResult(TimeProvider.System.GetElapsedTime(started)), e => e > TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(40), "30 s of ticks");
        await Task.WhenAll(Enumerable.Range(0, grains).Select(i => cluster.Client.GetGrain<IReminderGrain>($"r{i}").Stop("tick")));
        await WaitForEmptyInboxAsync(cluster);

        var counts = new List<int>();
        for (var i = 0; i < grains; i++)
        {
            counts.Add((await cluster.Client.GetGrain<IReminderGrain>($"r{i}").GetTicks()).Count);
        }
        output.WriteLine($"ticks per grain: min {counts.Min()}, max {counts.Max()}, mean {counts.Average():F1}");
        var total = 0;
        for (var i = 0; i < grains; i++)
        {
            var ticks = await cluster.Client.GetGrain<IReminderGrain>($"r{i}").GetTicks();
            var due = ticks.Select(t => t.Due).ToList();
            Assert.True(due.Count >= 20, $"r{i}: only {due.Count} ticks in 30 s");
            Assert.Equal(due.Count, due.Distinct().Count()); // no due time fired twice
            for (var k = 1; k < due.Count; k++)
            {
                Assert.True(due[k] - due[k - 1] == period, $"r{i}: gap or disorder between {due[k - 1]:O} and {due[k]:O}");
            }
            total += due.Count;
        }
        output.WriteLine($"{total} ticks checked");
        Assert.Empty(await cluster.Client.GetDeadLettersAsync());
    }

    [Fact]
    public async Task Commits_WhenConnectionsAreTerminatedMidCommit_AreNeitherLostNorDoubled()
    {
        const int counters = 200;
        const int messages = 20_000;
        await using var cluster = await StartClusterAsync(3, configure: o => { o.LeaseTime = TimeSpan.FromSeconds(5); o.ShardCount = 32; });
        await cluster.WaitForStableAsync(TimeSpan.FromSeconds(30));
        var application = new NpgsqlConnectionStringBuilder(ConnectionString).ApplicationName!;

        using var stop = new CancellationTokenSource();
        var killer = Task.Run(() => TerminateCommitsAsync(application, stop.Token));
        await SendAllAsync(cluster, messages, i => ($"c{i % counters}", $"m{i}"));
        await WaitForEmptyInboxAsync(cluster);
        await stop.CancelAsync();
        var terminated = await killer;
        output.WriteLine($"terminated {terminated} backends mid-commit");

        Assert.True(terminated > 0, "no commit was interrupted, so the test proved nothing");
        await AssertCountersExactAsync(cluster, counters, messages / counters);
    }

    [Fact]
    public async Task StaleOwner_CommitsAreFenced_AndItStopsServingTheShard()
    {
        await using var cluster = await StartClusterAsync(2, configure: o => { o.LeaseTime = TimeSpan.FromSeconds(10); o.ShardCount = 8; });
        await cluster.WaitForStableAsync(TimeSpan.FromSeconds(30));
        var owner = cluster.Silos[0];
        var (key, lease) = Enumerable.Range(0, 1000).Select(i => $"k{i}")
            .Select(k => (k, owner.Shards.FirstOrDefault(s => s.Shard == new GrainId("counter", k).ShardOf(8))))
            .First(x => x.Item2 != default);
        var counter = cluster.Client.GetGrain<ICounterGrain>(key);
        await counter.Add(1);
        await Eventually.Until(counter.GetValue, v => v == 1, Settle, "first command applied by the owner");

        // Another owner takes the shard behind the owner's back (as after a long pause): epoch + 1, lease for 3 s.
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var steal = new NpgsqlCommand(
                "UPDATE orch_shard_lease SET owner_silo = 'intruder', epoch = epoch + 1, lease_expires_at = now() + interval '3 seconds' WHERE shard_id = @s", connection);
            steal.Parameters.AddWithValue("s", lease.Shard);
            Assert.Equal(1, await steal.ExecuteNonQueryAsync());
        }
        await counter.Add(10);

        await Eventually.Until(() => Task.FromResult(owner.Metrics.FencedCommits), n => n >= 1, Settle, "the stale owner's commit refused");
        Assert.DoesNotContain(lease, owner.Shards); // it stopped serving the shard at the stale epoch
        Assert.Equal(1, await counter.GetValue()); // its turn left no effect

        var state = await Eventually.Until(counter.GetState, s => s.Value == 11, Settle, "the command applied once the shard is re-acquired");
        Assert.Equal([0L, 1L], state.Versions);
        var reacquired = cluster.RunningSilos.SelectMany(s => s.Shards).Single(s => s.Shard == lease.Shard);
        Assert.True(reacquired.Epoch >= lease.Epoch + 2, $"re-acquired at epoch {reacquired.Epoch}, stolen at {lease.Epoch + 1}");
    }

    /// <summary>Sends every message, each with its own dedupe key, resending (same key) whatever was not acknowledged.</summary>
    private static async Task SendAllAsync(TestCluster cluster, int count, Func<int, (string Counter, string Key)> address)
    {
        const int window = 500;
        for (var start = 0; start < count; start += window)
        {
            var pending = Enumerable.Range(start, Math.Min(window, count - start)).ToList();
            for (var attempt = 0; pending.Count > 0; attempt++)
            {
                Assert.True(attempt < 50, "could not get messages acknowledged");
                var sends = pending.Select(i => (i, Task: Send(cluster, address(i)))).ToList();
                await Task.WhenAll(sends.Select(s => s.Task)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                pending = [.. sends.Where(s => !s.Task.IsCompletedSuccessfully).Select(s => s.i)];
            }
        }
    }

    private static Task Send(TestCluster cluster, (string Counter, string Key) address) =>
        cluster.Client.GetGrain<ICounterGrain>(address.Counter).WithDedupeKey(address.Key).Add(1);

    private static async Task WaitForEmptyInboxAsync(TestCluster cluster)
    {
        var all = Enumerable.Range(0, 32).ToArray();
        await Eventually.Until(() => cluster.ClientStore.CountPendingAsync(all, CancellationToken.None), n => n == 0, Settle, "every message applied");
    }

    private static async Task AssertCountersExactAsync(TestCluster cluster, int counters, int perCounter)
    {
        await WaitForEmptyInboxAsync(cluster);
        var expectedVersions = Enumerable.Range(0, perCounter).Select(v => (long)v).ToList();
        for (var i = 0; i < counters; i++)
        {
            var state = await cluster.Client.GetGrain<ICounterGrain>($"c{i}").GetState();
            Assert.True(perCounter == state.Value, $"c{i}: value {state.Value}, sent {perCounter}");
            Assert.Equal(expectedVersions, state.Versions);
        }
        Assert.Empty(await cluster.Client.GetDeadLettersAsync());
    }

    /// <summary>Kills or freezes a random silo every couple of seconds, replacing it, until stopped.</summary>
    private static async Task<List<string>> ChaosAsync(TestCluster cluster, TimeSpan lease, Random random, CancellationToken stop)
    {
        var actions = new List<string>();
        var step = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(lease, TimeProvider.System, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var running = cluster.RunningSilos;
            var victim = running[random.Next(running.Count)];
            if (step++ % 2 == 0)
            {
                await cluster.KillSiloAsync(victim);
                actions.Add($"kill {victim.Name}");
            }
            else
            {
                cluster.Freeze(victim);
                await Task.Delay(lease * 2.5, TimeProvider.System, CancellationToken.None); // past its lease: others take over
                cluster.Resume(victim);
                var stale = await Task.WhenAny(victim.Stopped, Task.Delay(lease * 3, TimeProvider.System, CancellationToken.None)) == victim.Stopped;
                actions.Add($"freeze {victim.Name} ({(stale ? "stopped itself" : "carried on")})");
                if (!stale)
                {
                    continue;
                }
            }
            await cluster.StartSiloAsync(CancellationToken.None);
        }
        return actions;
    }

    /// <summary>Terminates this test's backends that are inside a commit (statement or transaction), repeatedly.</summary>
    private static async Task<int> TerminateCommitsAsync(string application, CancellationToken stop)
    {
        var terminated = 0;
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            await using (var cmd = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @app AND pid <> pg_backend_pid() " +
                "AND (state = 'idle in transaction' OR (state = 'active' AND query LIKE '%orch_grain_state%'))", connection))
            {
                cmd.Parameters.AddWithValue("app", application);
                terminated += (int)(long)(await cmd.ExecuteScalarAsync(CancellationToken.None))!;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(150), TimeProvider.System, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return terminated;
    }
}
