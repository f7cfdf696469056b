using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.TestGrains;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>
/// The runtime's contract, run unchanged on PostgreSQL and on SQLite (G6): activation, state, one-way delivery,
/// dedupe, dead letters. Reminder conformance is in <see cref="ReminderConformanceTests"/>.
/// </summary>
public abstract partial class RuntimeConformanceTests : ClusterTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Command_IsAppliedOnce_AndReadsSeeCommittedState()
    {
        await using var cluster = await StartClusterAsync();
        var counter = cluster.Client.GetGrain<ICounterGrain>("c1");

        await counter.Add(5);
        await counter.Add(7);

        var state = await Eventually.Until(counter.GetState, s => s.Value == 12, Wait, "both commands applied");
        Assert.Equal([0L, 1L], state.Versions);
        Assert.Equal(2, await cluster.Client.GetGrainVersionAsync(counter));
        Assert.True(cluster.Silos[0].Metrics.TurnsCommitted >= 2);
    }

    [Fact]
    public async Task Command_ResentWithSameDedupeKey_IsAppliedOnce()
    {
        await using var cluster = await StartClusterAsync();
        var counter = cluster.Client.GetGrain<ICounterGrain>("dedupe");

        for (var i = 0; i < 3; i++)
        {
            await counter.WithDedupeKey("order-17").Add(10);
        }
        await counter.WithDedupeKey("order-18").Add(1);

        await Eventually.Until(counter.GetValue, v => v == 11, Wait, "two distinct commands applied");
        // A late resend after the first was applied is still refused: the dedupe key outlives the message.
        await counter.WithDedupeKey("order-17").Add(10);
        await counter.WithDedupeKey("order-19").Add(100);
        var value = await Eventually.Until(counter.GetValue, v => v >= 111, Wait, "the later distinct command applied");
        Assert.Equal(111, value);
    }

    [Fact]
    public async Task OneWayCalls_BetweenGrains_AreDeliveredExactlyOnce()
    {
        await using var cluster = await StartClusterAsync();
        var ping = cluster.Client.GetGrain<IPingPongGrain>("ping");
        var pong = cluster.Client.GetGrain<IPingPongGrain>("pong");

        await ping.Hit("pong", 20);

        await Eventually.Until(async () => await ping.GetHits() + await pong.GetHits(), n => n == 21, Wait, "21 hits in all");
        Assert.Equal(11, await ping.GetHits());
        Assert.Equal(10, await pong.GetHits());
    }

    [Fact]
    public async Task State_RoundTripsThroughDeactivation_AndActivationRunsAgain()
    {
        await using var cluster = await StartClusterAsync(configure: o => o.IdleCollectionAge = TimeSpan.FromMilliseconds(300));
        var counter = cluster.Client.GetGrain<ICounterGrain>("sleepy");

        await counter.Add(1);
        await Eventually.Until(counter.GetValue, v => v == 1, Wait, "first command applied");
        await Eventually.Until(() => Task.FromResult(cluster.Silos[0].ActivationCount), n => n == 0, Wait, "idle activation collected");
        await counter.Add(2);

        var state = await Eventually.Until(counter.GetState, s => s.Value == 3, Wait, "second command applied after reactivation");
        Assert.Equal(2, state.Activations);
        Assert.Equal(new Dictionary<string, string> { ["v0"] = "+1", ["v1"] = "+2" }, state.Nested);
    }

    [Fact]
    public async Task FailingCommand_IsRetriedWithBackOff_ThenParked_AndReplayApplies()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await StartClusterAsync(clock: clock);
        var flaky = cluster.Client.GetGrain<IFlakyGrain>("f1");

        await flaky.Do("x");
        await Eventually.Until(() => Task.FromResult(Failures.Attempts), n => n == 1, Wait, "first attempt");
        clock.Advance(TimeSpan.FromSeconds(1)); // back-off after attempt 1: 1 s
        await Eventually.Until(() => Task.FromResult(Failures.Attempts), n => n == 2, Wait, "second attempt");
        clock.Advance(TimeSpan.FromSeconds(2)); // back-off after attempt 2: 2 s
        var letters = await Eventually.Until(() => cluster.Client.GetDeadLettersAsync(), l => l.Count == 1, Wait, "message parked");

        Assert.Equal(3, Failures.Attempts);
        Assert.Equal(3, letters[0].Attempts);
        Assert.Contains("failing on purpose: x", letters[0].Error);
        Assert.Contains("\"Do\"", letters[0].Payload);
        Assert.Empty(await flaky.GetDone()); // a failed turn leaves no trace in state

        Failures.Fail = false;
        Assert.True(await cluster.Client.ReplayDeadLetterAsync(letters[0].MessageId));
        Assert.False(await cluster.Client.ReplayDeadLetterAsync(letters[0].MessageId));
        var done = await Eventually.Until(flaky.GetDone, d => d.Count > 0, Wait, "replayed message applied");
        Assert.Equal(["x"], done);
        Assert.Empty(await cluster.Client.GetDeadLettersAsync());
    }

    [Fact]
    public async Task QueuedCommands_RunInOrderAndCommitTogether_AndAFailingOneIsIsolated()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await StartClusterAsync(clock: clock);
        Failures.Fail = false;
        var silo = cluster.Silos[0];
        var flaky = cluster.Client.GetGrain<IFlakyGrain>("queue");
        var counter = cluster.Client.GetGrain<ICounterGrain>("queue");

        cluster.Freeze(silo); // let the messages pile up, so they reach the mailbox together
        foreach (var what in new[] { "a", "b", "bad-1", "c", "d" })
        {
            await flaky.Do(what);
        }
        for (var i = 1; i <= 10; i++)
        {
            await counter.Add(i);
        }
        cluster.Resume(silo);

        var done = await Eventually.Until(flaky.GetDone, d => d.Count == 4, Wait, "the four good commands applied");
        Assert.Equal(["a", "b", "c", "d"], done);
        var state = await Eventually.Until(counter.GetState, s => s.Value == 55, Wait, "ten additions applied");
        Assert.Equal(Enumerable.Range(0, 10).Select(v => (long)v), state.Versions);
        Assert.Equal(10, await cluster.Client.GetGrainVersionAsync(counter));

        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.Until(() => Task.FromResult(Failures.AttemptsOf("bad-1")), n => n == 2, Wait, "second attempt of the failing command");
        clock.Advance(TimeSpan.FromSeconds(2));
        var letter = Assert.Single(await Eventually.Until(() => cluster.Client.GetDeadLettersAsync(), l => l.Count == 1, Wait, "the failing command parked"));
        Assert.Contains("bad-1", letter.Error);
        Assert.Equal(["a", "b", "c", "d"], await flaky.GetDone());
    }

    [Fact]
    public async Task Timer_TicksRunAsTurns_AndTheirChangesCommit()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await StartClusterAsync(clock: clock);
        var grain = cluster.Client.GetGrain<ITimerGrain>("t");

        await grain.Start(TimeSpan.FromSeconds(5));
        await Eventually.Until(() => cluster.Client.GetGrainVersionAsync(grain), v => v == 1, Wait, "the start command committed");
        for (var k = 1; k <= 3; k++)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            await Eventually.Until(grain.GetTicks, n => n == k, Wait, $"timer tick {k}");
        }
        await grain.Stop();
        await Eventually.Until(() => cluster.Client.GetGrainVersionAsync(grain), v => v == 5, Wait, "the stop command committed");
        clock.Advance(TimeSpan.FromSeconds(30));
        await grain.Start(TimeSpan.FromHours(1)); // a later turn, to be sure no stopped tick slipped in before it

        await Eventually.Until(() => cluster.Client.GetGrainVersionAsync(grain), v => v == 6, Wait, "the second start committed");
        Assert.Equal(3, await grain.GetTicks());
    }

    [Fact]
    public async Task UnknownGrainType_AndUnreadablePayload_AreParkedWithAClearError()
    {
        await using var cluster = await StartClusterAsync();
        var store = cluster.ClientStore;
        var now = TimeProvider.System.GetUtcNow();
        var ghost = new GrainId("no-such-grain", "g");
        var counter = new GrainId("counter", "garbled");
        await store.EnqueueAsync(
        [
            new OutgoingMessage(ghost, ghost.ShardOf(16), "m1", new MessageBody { Kind = "call", Interface = "X", Method = "Y" }.ToBytes(), now),
            new OutgoingMessage(counter, counter.ShardOf(16), "m2", "not json"u8.ToArray(), now),
            new OutgoingMessage(counter, counter.ShardOf(16), "m3", new MessageBody { Kind = "call", Interface = typeof(ICounterGrain).FullName, Method = "Add", Args = System.Text.Json.JsonDocument.Parse("[]").RootElement }.ToBytes(), now),
        ], CancellationToken.None);

        var letters = await Eventually.Until(() => cluster.Client.GetDeadLettersAsync(), l => l.Count == 3, Wait, "three dead letters");

        Assert.Contains("unknown grain type 'no-such-grain'", letters.Single(l => l.DedupeKey == "m1").Error);
        Assert.Contains("not valid JSON", letters.Single(l => l.DedupeKey == "m2").Error);
        Assert.Contains("takes 1 argument(s) but the message has 0", letters.Single(l => l.DedupeKey == "m3").Error);
        Assert.All(letters, l => Assert.Equal(1, l.Attempts)); // unreadable input is not retried
    }

    [Fact]
    public async Task Options_Invalid_AreRefusedNamingTheOption()
    {
        var options = TrackedStore();
        options.ShardCount = 0;
        options.LeaseTime = TimeSpan.Zero;
        options.Store = "mongo";

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("ShardCount: 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("LeaseTime:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Store: 'mongo'", StringComparison.Ordinal));
        await Assert.ThrowsAsync<ArgumentException>(() => StartClusterAsync(configure: o => o.ShardCount = -1));
    }

    [Fact]
    public async Task Cluster_RestartedWithAnotherShardCount_IsRefused()
    {
        var options = TrackedStore();
        options.ShardCount = 16;
        await using (var first = await Testing.TestCluster.StartAsync(new Testing.TestClusterOptions { Runtime = options, Registry = Registry }))
        {
        }
        options.ShardCount = 32;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Testing.TestCluster.StartAsync(new Testing.TestClusterOptions { Runtime = options, Registry = Registry }));

        Assert.Contains("created with 16 shards", error.Message);
    }
}

public sealed class PostgresRuntimeConformanceTests : RuntimeConformanceTests
{
    protected override RuntimeOptions NewStore() => TestStores.Postgres("conf");
}

public sealed class SqliteRuntimeConformanceTests : RuntimeConformanceTests
{
    protected override RuntimeOptions NewStore() => TestStores.Sqlite();
}
