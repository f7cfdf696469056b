using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Storage;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>The store port's contract, directly: fencing, version checks, exactly-once consumption, leases.</summary>
public abstract class StoreConformanceTests : IAsyncLifetime
{
    private const int Shards = 4;
    private IRuntimeStore _store = null!;
    private RuntimeOptions _options = null!;
    private static readonly GrainId Grain = new("counter", "s1");
    private static readonly int Shard = Grain.ShardOf(Shards);

    protected abstract RuntimeOptions NewStore();

    public async Task InitializeAsync()
    {
        _options = NewStore();
        _store = StoreFactory.Create(_options, NullLoggerFactory.Instance);
        await _store.MigrateAsync(Shards, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await TestStores.DropAsync(_options);
    }

    private static TurnCommit Turn(long epoch, long expectedVersion, long? consumed = null, params OutgoingMessage[] outbox) =>
        new(Grain, Shard, epoch, expectedVersion, 1, [(byte)expectedVersion], consumed is { } id ? [id] : [], outbox, []);

    private static OutgoingMessage Message(string dedupe) =>
        new(Grain, Shard, dedupe, new MessageBody { Kind = "call", Interface = "I", Method = "M" }.ToBytes(), DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Commit_ChecksVersionAndEpoch_AndConsumesEachMessageOnce()
    {
        var ct = CancellationToken.None;
        var leases = (await _store.AcquireShardsAsync("a", [0, 1, 2, 3], TimeSpan.FromMinutes(1), ct)).ToDictionary(l => l.Shard);
        var lease = leases[Shard];
        await _store.EnqueueAsync([Message("m1"), Message("m1"), Message("m2")], ct);
        var pending = await _store.FetchAsync([Shard], 0, DateTimeOffset.UnixEpoch, 10, ct);
        Assert.Equal(["m1", "m2"], pending.Select(m => m.DedupeKey)); // the duplicate enqueue was ignored

        Assert.Equal([CommitOutcome.Committed], await _store.CommitAsync("a", [Turn(lease.Epoch, 0, pending[0].Id, Message("out-1"))], ct));
        Assert.Equal([CommitOutcome.VersionConflict], await _store.CommitAsync("a", [Turn(lease.Epoch, 0, pending[1].Id)], ct));
        Assert.Equal([CommitOutcome.AlreadyConsumed], await _store.CommitAsync("a", [Turn(lease.Epoch, 1, pending[0].Id)], ct));
        Assert.Equal([CommitOutcome.Fenced], await _store.CommitAsync("b", [Turn(lease.Epoch, 1, pending[1].Id)], ct));
        Assert.Equal([CommitOutcome.Fenced], await _store.CommitAsync("a", [Turn(lease.Epoch + 1, 1, pending[1].Id)], ct));

        // In one batch: a good turn and a duplicate; only the duplicate is discarded.
        var other = new GrainId("counter", "s2");
        var good = new TurnCommit(other, other.ShardOf(Shards), leases[other.ShardOf(Shards)].Epoch, 0, 1, null, [], [], []);
        Assert.Equal([CommitOutcome.AlreadyConsumed, CommitOutcome.Committed], await _store.CommitAsync("a", [Turn(lease.Epoch, 1, pending[0].Id), good], ct));

        var state = await _store.ReadGrainAsync(Grain, ct);
        Assert.Equal(1, state!.Version);
        Assert.Equal([(byte)0], state.State!);
        var left = await _store.FetchAsync([Shard], 0, DateTimeOffset.UnixEpoch, 10, ct);
        Assert.Equal(["m2", "out-1"], left.Select(m => m.DedupeKey)); // m1 consumed once; the outbox message landed
    }

    [Fact]
    public async Task Commit_OfSeveralTurns_MovesTheVersionByTheTurnCount_AndAnyDuplicateDiscardsIt()
    {
        var ct = CancellationToken.None;
        var lease = Assert.Single(await _store.AcquireShardsAsync("a", [Shard], TimeSpan.FromMinutes(1), ct));
        await _store.EnqueueAsync([Message("m1"), Message("m2"), Message("m3"), Message("m4")], ct);
        var ids = (await _store.FetchAsync([Shard], 0, DateTimeOffset.UnixEpoch, 10, ct)).Select(m => m.Id).ToList();

        var three = new TurnCommit(Grain, Shard, lease.Epoch, 0, 3, [3], [ids[0], ids[1], ids[2]], [], []);
        Assert.Equal([CommitOutcome.Committed], await _store.CommitAsync("a", [three], ct));
        Assert.Equal(3, (await _store.ReadGrainAsync(Grain, ct))!.Version);

        // m3 was applied already: a batch holding it and m4 is discarded whole, m4 stays pending.
        var overlap = new TurnCommit(Grain, Shard, lease.Epoch, 3, 2, [5], [ids[2], ids[3]], [], []);
        Assert.Equal([CommitOutcome.AlreadyConsumed], await _store.CommitAsync("a", [overlap], ct));
        Assert.Equal(3, (await _store.ReadGrainAsync(Grain, ct))!.Version);
        Assert.Equal([ids[3]], (await _store.FetchAsync([Shard], 0, DateTimeOffset.UnixEpoch, 10, ct)).Select(m => m.Id));
    }

    [Fact]
    public async Task Commit_OfTurnsWritingOneIndexKey_KeepsTheLastWrite_AndAFencedTurnWritesNoRows()
    {
        var ct = CancellationToken.None;
        var leases = (await _store.AcquireShardsAsync("a", [0, 1, 2, 3], TimeSpan.FromMinutes(1), ct)).ToDictionary(l => l.Shard);
        var other = new GrainId("counter", "s2");
        var first = new TurnCommit(Grain, Shard, leases[Shard].Epoch, 0, 1, null, [], [], [])
        {
            Indexes = [IndexWrite.Upsert(new IndexRow("k", "p", "same", 1, "one")), IndexWrite.Upsert(new IndexRow("k", "p", "first-only", 1, null))],
        };
        var second = new TurnCommit(other, other.ShardOf(Shards), leases[other.ShardOf(Shards)].Epoch, 0, 1, null, [], [], [])
        {
            Indexes = [IndexWrite.Delete("k", "p", "first-only"), IndexWrite.Upsert(new IndexRow("k", "p", "same", 2, "two"))],
        };

        // One batch, one transaction: on PostgreSQL one upsert statement, which must not see a key twice.
        Assert.Equal([CommitOutcome.Committed, CommitOutcome.Committed], await _store.CommitAsync("a", [first, second], ct));
        Assert.Equal([new IndexRow("k", "p", "same", 2, "two")], await _store.Indexes.GetAsync("k", "p", ["same", "first-only"], ct));

        var fenced = new TurnCommit(Grain, Shard, leases[Shard].Epoch + 1, 1, 1, null, [], [], []) { Indexes = [IndexWrite.Upsert(new IndexRow("k", "p", "fenced", 1, null))] };
        var stale = new TurnCommit(Grain, Shard, leases[Shard].Epoch, 0, 1, null, [], [], []) { Indexes = [IndexWrite.Upsert(new IndexRow("k", "p", "stale", 1, null))] };
        Assert.Equal([CommitOutcome.Fenced], await _store.CommitAsync("a", [fenced], ct));
        Assert.Equal([CommitOutcome.VersionConflict], await _store.CommitAsync("a", [stale], ct));
        Assert.Empty(await _store.Indexes.GetAsync("k", "p", ["fenced", "stale"], ct));
    }

    [Fact]
    public async Task Leases_GrowTheEpochOnEveryAcquisition_AndCannotBeTakenWhileValid()
    {
        var ct = CancellationToken.None;
        var first = Assert.Single(await _store.AcquireShardsAsync("a", [0], TimeSpan.FromMinutes(1), ct));
        Assert.Empty(await _store.AcquireShardsAsync("b", [0], TimeSpan.FromMinutes(1), ct));
        Assert.Equal([first], await _store.RenewShardsAsync("a", TimeSpan.FromMinutes(1), ct));

        await _store.ReleaseShardsAsync("a", [first], ct);
        var second = Assert.Single(await _store.AcquireShardsAsync("b", [0], TimeSpan.FromMinutes(1), ct));

        Assert.True(second.Epoch > first.Epoch);
        Assert.Empty(await _store.RenewShardsAsync("a", TimeSpan.FromMinutes(1), ct));
        var expired = Assert.Single(await _store.AcquireShardsAsync("b", [1], TimeSpan.FromMilliseconds(1), ct));
        var takenOver = await Eventually.Until(() => _store.AcquireShardsAsync("a", [1], TimeSpan.FromMinutes(1), ct), l => l.Count == 1, TimeSpan.FromSeconds(10), "expired lease taken over");
        Assert.True(takenOver[0].Epoch > expired.Epoch);
    }

    [Fact]
    public async Task Membership_VersionGrowsWithEveryChange_AndTheDeadNeverReturn()
    {
        var ct = CancellationToken.None;
        var now = DateTimeOffset.UnixEpoch;
        var v1 = await _store.JoinAsync(new SiloRecord("s1", "one", "here", 1, SiloStatus.Active, now, now), ct);
        var v2 = await _store.JoinAsync(new SiloRecord("s2", "two", "here", 1, SiloStatus.Active, now, now), ct);
        Assert.True(v2 > v1);

        await _store.SetSiloStatusAsync("s1", SiloStatus.Dead, ct);
        var view = await _store.ReadMembershipAsync(ct);

        Assert.True(view.Version > v2);
        Assert.Equal(SiloStatus.Dead, view.Silos.Single(s => s.SiloId == "s1").Status);
        Assert.False(await _store.HeartbeatAsync("s1", ct));
        Assert.True(await _store.HeartbeatAsync("s2", ct));
        await _store.SetSiloStatusAsync("s1", SiloStatus.Active, ct);
        Assert.Equal(SiloStatus.Dead, (await _store.ReadMembershipAsync(ct)).Silos.Single(s => s.SiloId == "s1").Status);
    }

    [Fact]
    public async Task Migrations_AreReRunnable()
    {
        await _store.MigrateAsync(Shards, CancellationToken.None);
        await _store.MigrateAsync(Shards, CancellationToken.None);

        Assert.Equal(Shards, (await _store.ReadLeasesAsync(CancellationToken.None)).Count);
    }
}

public sealed class PostgresStoreConformanceTests : StoreConformanceTests
{
    protected override RuntimeOptions NewStore() => TestStores.Postgres("store");
}

public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    protected override RuntimeOptions NewStore() => TestStores.Sqlite();
}
