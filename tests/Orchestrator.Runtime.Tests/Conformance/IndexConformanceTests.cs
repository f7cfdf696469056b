using Npgsql;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.TestGrains;
using static Orchestrator.Runtime.Tests.TestGrains.IndexOp;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>
/// Index rows, run unchanged on PostgreSQL and SQLite: written only by committed turns, atomically with the state,
/// last write of a key wins; read by partitions, statuses and keyset pages in ordinal key order.
/// </summary>
public abstract class IndexConformanceTests : ClusterTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static Task<long> VersionOf(Testing.TestCluster cluster, IIndexGrain grain) => cluster.Client.GetGrainVersionAsync(grain);

    [Fact]
    public async Task Turn_WritingAndDeletingRows_CommitsThemWithTheState()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Client.GetGrain<IIndexGrain>("g1");
        var indexes = cluster.Client.Indexes;

        await grain.Apply([Write("target", "p1", "a", 1, """{"n":1}"""), Write("target", "p1", "b", 1), Write("target", "p1", "c", 2)]);
        await Eventually.Until(() => VersionOf(cluster, grain), v => v == 1, Wait, "the first turn committed");

        // Visible as soon as the state is: one transaction.
        Assert.Equal(
            [new IndexRow("target", "p1", "a", 1, """{"n":1}"""), new IndexRow("target", "p1", "b", 1, null), new IndexRow("target", "p1", "c", 2, null)],
            await indexes.GetAsync("target", "p1", ["a", "b", "c", "missing"]));

        await grain.Apply([Delete("target", "p1", "b"), Write("target", "p1", "a", 3, """{"n":2}"""), Delete("target", "p1", "never-written")]);
        await Eventually.Until(() => VersionOf(cluster, grain), v => v == 2, Wait, "the second turn committed");

        var expected = new[] { new IndexRow("target", "p1", "a", 3, """{"n":2}"""), new IndexRow("target", "p1", "c", 2, null) };
        Assert.Equal(expected, await indexes.GetAsync("target", "p1", ["a", "b", "c"]));
        // A read method sees the same committed rows through Grain.Indexes, and so did the second turn as it began.
        Assert.Equal(expected, await grain.Query(new IndexQuery("target", ["p1"])));
        Assert.Equal(["-", "1"], (await grain.GetState()).SeenAtStart);
    }

    [Fact]
    public async Task Turn_ThatThrows_WritesNoRows()
    {
        await using var cluster = await StartClusterAsync(configure: o => o.MaxMessageAttempts = 1);
        var grain = cluster.Client.GetGrain<IIndexGrain>("failing");

        await grain.ApplyThenFail([Write("target", "p", "bad", 1), Delete("target", "p", "kept")]);
        await grain.Apply([Write("target", "p", "kept", 1)]);

        await Eventually.Until(() => cluster.Client.GetDeadLettersAsync(), l => l.Count == 1, Wait, "the failing turn parked");
        await Eventually.Until(() => VersionOf(cluster, grain), v => v == 1, Wait, "the good turn committed");
        Assert.Equal(1, Failures.AttemptsOf("index"));
        Assert.Equal([new IndexRow("target", "p", "kept", 1, null)], await cluster.Client.Indexes.GetAsync("target", "p", ["bad", "kept"]));
        Assert.Equal(1, (await grain.GetState()).Turns);
    }

    [Fact]
    public async Task WriteIndex_InAReadMethod_Throws()
    {
        await using var cluster = await StartClusterAsync(silos: 0);

        await Assert.ThrowsAsync<ReadOnlyTurnException>(() => cluster.Client.GetGrain<IIndexGrain>("reader").WriteFromRead());
    }

    [Fact]
    public async Task TurnsCommittedTogether_WritingAndDeletingOneKey_KeepTheLastWrite()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Client.GetGrain<IIndexGrain>("batch");
        await grain.Apply([Write("t", "p", "x", 9)]);
        await Eventually.Until(() => VersionOf(cluster, grain), v => v == 1, Wait, "the baseline committed");

        // Hold a turn open so that the next five queue behind it and run as consecutive turns of one commit.
        await grain.Hold();
        await Gate.Entered.WaitAsync(Wait);
        await grain.Apply([Write("t", "p", "x", 1), Write("t", "p", "w", 1)]);
        await grain.Apply([Delete("t", "p", "x"), Delete("t", "p", "w"), Write("t", "p", "y", 1)]);
        await grain.Apply([Write("t", "p", "x", 2), Write("t", "p", "y", 2), Delete("t", "p", "y")]);
        await grain.Apply([Write("t", "p", "z", 1)]);
        await grain.Apply([Write("t", "p", "x", 3), Write("t", "p", "z", 2)]);
        await Eventually.Until(() => Task.FromResult(cluster.Silos[0].QueuedWorkOf(grain.GetGrainId())), n => n == 5, Wait, "five turns queued behind the held one");
        Gate.Open();

        await Eventually.Until(() => VersionOf(cluster, grain), v => v == 7, Wait, "all turns committed");
        Assert.Equal([new IndexRow("t", "p", "x", 3, null), new IndexRow("t", "p", "z", 2, null)], await cluster.Client.Indexes.GetAsync("t", "p", ["w", "x", "y", "z"]));
        // Every turn of the batch saw the rows as committed before it: they were written together, at its end.
        Assert.Equal(["-", "9", "9", "9", "-", "9"], (await grain.GetState()).SeenAtStart);
    }

    private static readonly IndexOp[] Hosts =
    [
        Write("host", "p1", "b", 1), Write("host", "p1", "B", 2), Write("host", "p1", "a", 1),
        Write("host", "p2", "c", 2), Write("host", "p2", "A", 1), Write("host", "p2", "é", 1, """{"accent":true}"""),
        Write("host", "p3", "d", 1),
        Write("other", "p1", "0", 1),
    ];

    [Fact]
    public async Task Query_ByPartitionsStatusesAndAfterKey_ReturnsRowsInOrdinalKeyOrder()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Client.GetGrain<IIndexGrain>("hosts");
        await grain.Apply([.. Hosts]);
        await Eventually.Until(() => VersionOf(cluster, grain), v => v == 1, Wait, "rows committed");
        var indexes = cluster.Client.Indexes;
        static string Keys(IEnumerable<IndexRow> rows) => string.Join(",", rows.Select(r => $"{r.Partition}/{r.Key}"));

        // Ordinal: upper case before lower case, then non-ASCII; never a culture's order (a, A, b, B…).
        Assert.Equal("p2/A,p1/B,p1/a,p1/b,p2/c,p2/é", Keys(await indexes.QueryAsync(new IndexQuery("host", ["p1", "p2"]))));
        Assert.Equal("p1/B,p1/a,p1/b", Keys(await indexes.QueryAsync(new IndexQuery("host", ["p1"]))));
        Assert.Equal("p1/B,p2/c", Keys(await indexes.QueryAsync(new IndexQuery("host", ["p1", "p2"]) { Statuses = [2] })));
        Assert.Equal("p1/a,p1/b", Keys(await indexes.QueryAsync(new IndexQuery("host", ["p1"]) { Statuses = [1, 7], AfterKey = "B" })));
        Assert.Equal("p3/d", Keys(await indexes.QueryAsync(new IndexQuery("host", ["p3", "nowhere"]))));
        Assert.Empty(await indexes.QueryAsync(new IndexQuery("host", [])));
        Assert.Empty(await indexes.QueryAsync(new IndexQuery("host", ["p1"]) { Statuses = [] }));

        var pages = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await indexes.QueryAsync(new IndexQuery("host", ["p1", "p2"]) { AfterKey = after, Limit = 2 });
            if (page.Count == 0)
            {
                break;
            }
            pages.Add(Keys(page));
            after = page[^1].Key;
        }
        Assert.Equal(["p2/A,p1/B", "p1/a,p1/b", "p2/c,p2/é"], pages);
        Assert.Equal("""{"accent":true}""", (await indexes.QueryAsync(new IndexQuery("host", ["p2"]) { AfterKey = "c" })).Single().Data);
    }

    [Fact]
    public async Task ScanKind_AcrossAllPartitions_PagesInPartitionThenKeyOrder_WithoutData()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Client.GetGrain<IIndexGrain>("hosts");
        await grain.Apply([.. Hosts]);
        await Eventually.Until(() => VersionOf(cluster, grain), v => v == 1, Wait, "rows committed");
        var indexes = cluster.Client.Indexes;

        var pages = new List<string>();
        (string, string)? after = null;
        while (true)
        {
            var page = await indexes.ScanKindAsync("host", after, 2);
            if (page.Count == 0)
            {
                break;
            }
            Assert.All(page, r => Assert.Null(r.Data));
            pages.Add(string.Join(",", page.Select(r => $"{r.Partition}/{r.Key}:{r.Status}")));
            after = (page[^1].Partition, page[^1].Key);
        }

        var all = await indexes.QueryAsync(new IndexQuery("host", ["p1", "p2", "p3"]) { Limit = 100 });
        var expected = all.OrderBy(r => r.Partition, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Partition}/{r.Key}:{r.Status}");
        Assert.Equal(expected, pages.SelectMany(p => p.Split(',')));
        Assert.Equal(7, pages.SelectMany(p => p.Split(',')).Count()); // the "other" kind's row is not scanned
        Assert.Equal(4, pages.Count);
    }

    [Fact]
    public async Task CountByStatus_OfOnePartition_CountsEachStatus()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Client.GetGrain<IIndexGrain>("hosts");
        await grain.Apply([.. Hosts]);
        await Eventually.Until(() => VersionOf(cluster, grain), v => v == 1, Wait, "rows committed");

        Assert.Equal(new Dictionary<int, long> { [1] = 2, [2] = 1 }, await cluster.Client.Indexes.CountByStatusAsync("host", "p1"));
        Assert.Equal(new Dictionary<int, long> { [1] = 1 }, await cluster.Client.Indexes.CountByStatusAsync("other", "p1"));
        Assert.Empty(await cluster.Client.Indexes.CountByStatusAsync("host", "nowhere"));
    }

    [Fact]
    public async Task Turn_Writing100000Rows_CommitsThemAll_AndOverwritesThemAll()
    {
        const int Rows = 100_000;
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Client.GetGrain<IIndexGrain>("bulk");
        var indexes = cluster.Client.Indexes;

        await grain.WriteMany("bulk", "step-1", Rows, 4);
        await Eventually.Until(() => VersionOf(cluster, grain), v => v == 1, TimeSpan.FromMinutes(2), "100,000 rows committed");
        Assert.Equal(new Dictionary<int, long> { [0] = 25_000, [1] = 25_000, [2] = 25_000, [3] = 25_000 }, await indexes.CountByStatusAsync("bulk", "step-1"));

        await grain.WriteMany("bulk", "step-1", Rows, 2);
        await Eventually.Until(() => VersionOf(cluster, grain), v => v == 2, TimeSpan.FromMinutes(2), "100,000 rows overwritten");
        Assert.Equal(new Dictionary<int, long> { [0] = 50_000, [1] = 50_000 }, await indexes.CountByStatusAsync("bulk", "step-1"));
        var page = await indexes.QueryAsync(new IndexQuery("bulk", ["step-1"]) { AfterKey = "k049999", Statuses = [1], Limit = 2 });
        Assert.Equal([new IndexRow("bulk", "step-1", "k050001", 1, """{"i":50001}"""), new IndexRow("bulk", "step-1", "k050003", 1, """{"i":50003}""")], page);
    }
}

public sealed class PostgresIndexConformanceTests : IndexConformanceTests
{
    protected override RuntimeOptions NewStore() => TestStores.Postgres("idx");

    [Fact]
    public async Task KeyColumn_ComparesBytewise_WhateverTheDatabaseDefaultCollation()
    {
        // The test server's databases use C.UTF-8, where a missing COLLATE "C" would go unnoticed by the order test.
        await using var cluster = await StartClusterAsync(silos: 0);
        await using var connection = new NpgsqlConnection(CurrentStore.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT collation_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'orch_index' AND column_name = 'key'", connection);

        Assert.Equal("C", await cmd.ExecuteScalarAsync());
    }
}

public sealed class SqliteIndexConformanceTests : IndexConformanceTests
{
    protected override RuntimeOptions NewStore() => TestStores.Sqlite();
}
