using Npgsql;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Storage;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.GrainState;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Persistence;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>
/// Index rows, run unchanged on PostgreSQL and SQLite, written as grain state writes carry them: the last write of a
/// key in one write wins; read by partitions, statuses and keyset pages in ordinal key order. (That rows commit
/// atomically with their state is <see cref="GrainStorageConformanceTests"/>' part.)
/// </summary>
public abstract class IndexConformanceTests : DatabaseTestBase
{
    private OrchestratorDatabase _database = null!;
    private IGrainStorage _storage = null!;
    private readonly Dictionary<string, TestGrainState<IndexedTestState>> _states = [];

    protected async Task<IIndexReader> StartAsync()
    {
        _database = await OpenAsync();
        _storage = new OrchestratorGrainStorage("test", _database, null, NullLogger<OrchestratorGrainStorage>.Instance);
        return _database.Indexes;
    }

    /// <summary>One state write of grain <paramref name="grain"/> carrying <paramref name="ops"/>.</summary>
    private async Task ApplyAsync(string grain, params Action<IndexedTestState>[] ops)
    {
        if (!_states.TryGetValue(grain, out var state))
        {
            _states[grain] = state = new TestGrainState<IndexedTestState>(new IndexedTestState());
        }
        foreach (var op in ops)
        {
            op(state.State);
        }
        await _storage.WriteStateAsync("state", GrainId.Create("test-index", grain), state);
        Assert.Empty(state.State.PendingIndexWrites);
    }

    private static Action<IndexedTestState> Write(string kind, string partition, string key, int status, string? data = null) =>
        s => s.Write(kind, partition, key, status, data);

    private static Action<IndexedTestState> Delete(string kind, string partition, string key) => s => s.Delete(kind, partition, key);

    [Fact]
    public async Task Write_WritingAndDeletingRows_ReadsThemBackByKey()
    {
        var indexes = await StartAsync();

        await ApplyAsync("g1", Write("target", "p1", "a", 1, """{"n":1}"""), Write("target", "p1", "b", 1), Write("target", "p1", "c", 2));
        Assert.Equal(
            [new IndexRow("target", "p1", "a", 1, """{"n":1}"""), new IndexRow("target", "p1", "b", 1, null), new IndexRow("target", "p1", "c", 2, null)],
            await indexes.GetAsync("target", "p1", ["a", "b", "c", "missing"]));

        await ApplyAsync("g1", Delete("target", "p1", "b"), Write("target", "p1", "a", 3, """{"n":2}"""), Delete("target", "p1", "never-written"));
        Assert.Equal(
            [new IndexRow("target", "p1", "a", 3, """{"n":2}"""), new IndexRow("target", "p1", "c", 2, null)],
            await indexes.GetAsync("target", "p1", ["a", "b", "c"]));
    }

    [Fact]
    public async Task Write_WritingAndDeletingOneKeySeveralTimes_KeepsTheLastWrite()
    {
        var indexes = await StartAsync();
        await ApplyAsync("batch", Write("t", "p", "x", 9));

        await ApplyAsync("batch",
            Write("t", "p", "x", 1), Write("t", "p", "w", 1),
            Delete("t", "p", "x"), Delete("t", "p", "w"), Write("t", "p", "y", 1),
            Write("t", "p", "x", 2), Write("t", "p", "y", 2), Delete("t", "p", "y"),
            Write("t", "p", "z", 1),
            Write("t", "p", "x", 3), Write("t", "p", "z", 2));

        Assert.Equal([new IndexRow("t", "p", "x", 3, null), new IndexRow("t", "p", "z", 2, null)], await indexes.GetAsync("t", "p", ["w", "x", "y", "z"]));
    }

    private static readonly Action<IndexedTestState>[] Hosts =
    [
        Write("host", "p1", "b", 1), Write("host", "p1", "B", 2), Write("host", "p1", "a", 1),
        Write("host", "p2", "c", 2), Write("host", "p2", "A", 1), Write("host", "p2", "é", 1, """{"accent":true}"""),
        Write("host", "p3", "d", 1),
        Write("other", "p1", "0", 1),
    ];

    [Fact]
    public async Task Query_ByPartitionsStatusesAndAfterKey_ReturnsRowsInOrdinalKeyOrder()
    {
        var indexes = await StartAsync();
        await ApplyAsync("hosts", Hosts);
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
    public async Task Query_Descending_ReturnsOnePartitionsRowsInDescendingOrdinalKeyOrderBeforeTheAfterKey()
    {
        var indexes = await StartAsync();
        await ApplyAsync("hosts", Hosts);
        static string Keys(IEnumerable<IndexRow> rows) => string.Join(",", rows.Select(r => r.Key));

        Assert.Equal("é,c,A", Keys(await indexes.QueryAsync(new IndexQuery("host", ["p2"]) { Descending = true })));
        Assert.Equal("b,a,B", Keys(await indexes.QueryAsync(new IndexQuery("host", ["p1"]) { Descending = true })));
        Assert.Equal("a,B", Keys(await indexes.QueryAsync(new IndexQuery("host", ["p1"]) { Descending = true, AfterKey = "b" })));
        Assert.Equal("b", Keys(await indexes.QueryAsync(new IndexQuery("host", ["p1"]) { Descending = true, Limit = 1 })));
        Assert.Equal("a", Keys(await indexes.QueryAsync(new IndexQuery("host", ["p1"]) { Descending = true, Statuses = [1, 7], AfterKey = "b" })));
        await Assert.ThrowsAsync<ArgumentException>(() => indexes.QueryAsync(new IndexQuery("host", ["p1", "p2"]) { Descending = true }));
    }

    [Fact]
    public async Task ScanKind_AcrossAllPartitions_PagesInPartitionThenKeyOrder_WithoutData()
    {
        var indexes = await StartAsync();
        await ApplyAsync("hosts", Hosts);

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
        var indexes = await StartAsync();
        await ApplyAsync("hosts", Hosts);

        Assert.Equal(new Dictionary<int, long> { [1] = 2, [2] = 1 }, await indexes.CountByStatusAsync("host", "p1"));
        Assert.Equal(new Dictionary<int, long> { [1] = 1 }, await indexes.CountByStatusAsync("other", "p1"));
        Assert.Empty(await indexes.CountByStatusAsync("host", "nowhere"));
    }

    [Fact]
    public async Task CountKind_AcrossPartitions_CountsEveryRowOfTheKindOnly()
    {
        var indexes = await StartAsync();
        await ApplyAsync("hosts", Hosts);

        Assert.Equal(7L, await indexes.CountKindAsync("host")); // p1, p2 and p3
        Assert.Equal(1L, await indexes.CountKindAsync("other"));
        Assert.Equal(0L, await indexes.CountKindAsync("nothing"));
    }

    [Fact]
    public async Task Write_Of100000Rows_CommitsThemAll_AndOverwritesThemAll()
    {
        const int Rows = 100_000;
        var indexes = await StartAsync();

        await ApplyAsync("bulk", Many(Rows, 4));
        Assert.Equal(new Dictionary<int, long> { [0] = 25_000, [1] = 25_000, [2] = 25_000, [3] = 25_000 }, await indexes.CountByStatusAsync("bulk", "step-1"));

        await ApplyAsync("bulk", Many(Rows, 2));
        Assert.Equal(new Dictionary<int, long> { [0] = 50_000, [1] = 50_000 }, await indexes.CountByStatusAsync("bulk", "step-1"));
        var page = await indexes.QueryAsync(new IndexQuery("bulk", ["step-1"]) { AfterKey = "k049999", Statuses = [1], Limit = 2 });
        Assert.Equal([new IndexRow("bulk", "step-1", "k050001", 1, """{"i":50001}"""), new IndexRow("bulk", "step-1", "k050003", 1, """{"i":50003}""")], page);
    }

    /// <summary>Rows k000000… of kind "bulk" in partition "step-1", status i mod <paramref name="statuses"/>, data {"i":i}.</summary>
    private static Action<IndexedTestState> Many(int rows, int statuses) => s =>
    {
        for (var i = 0; i < rows; i++)
        {
            s.Write("bulk", "step-1", "k" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), i % statuses, $$"""{"i":{{i}}}""");
        }
    };
}

public sealed class PostgresIndexConformanceTests : IndexConformanceTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Postgres("idx");

    [Fact]
    public async Task KeyColumn_ComparesBytewise_WhateverTheDatabaseDefaultCollation()
    {
        // The test server's databases use C.UTF-8, where a missing COLLATE "C" would go unnoticed by the order test.
        await StartAsync();
        await using var connection = new NpgsqlConnection(CurrentStore.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT collation_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'orch_index' AND column_name = 'key'", connection);

        Assert.Equal("C", await cmd.ExecuteScalarAsync());
    }
}

public sealed class SqliteIndexConformanceTests : IndexConformanceTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Sqlite();
}
