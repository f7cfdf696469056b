using Orchestrator.Runtime.Audit;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>The audit store, run unchanged on PostgreSQL and SQLite: appended in order, read newest first under each filter.</summary>
public abstract class AuditConformanceTests : DatabaseTestBase
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static AuditEntry Entry(int minute, string who = "ann", string action = "plan.put", string? kind = "plan", string? id = "p1", int status = 200, string? problem = null) =>
        new(T0.AddMinutes(minute), who, action, kind, id, "PUT", "/api/v1/plans/{id}", status, problem, "127.0.0.1", $"{minute:x32}");

    [Fact]
    public async Task Append_ThenQueryAll_ReturnsEveryFieldNewestFirstWithIncreasingIds()
    {
        var audit = (await OpenAsync()).Audit;
        var first = Entry(0, problem: null);
        var second = Entry(1, who: "bob", action: "instance.cancel", kind: "instance", id: "ti-1", status: 409, problem: "Conflicts with the current state.") with { Address = null };

        await audit.AppendAsync([first, second]);
        var rows = await audit.QueryAsync(new AuditQuery());

        Assert.Equal(2, rows.Count);
        Assert.True(rows[0].Id > rows[1].Id, $"ids {rows[0].Id}, {rows[1].Id}");
        Assert.Equal(second, rows[0] with { Id = 0 });
        Assert.Equal(first, rows[1] with { Id = 0 });
    }

    [Fact]
    public async Task Query_EachFilter_SelectsExactlyItsEntries()
    {
        var audit = (await OpenAsync()).Audit;
        await audit.AppendAsync([
            Entry(0, who: "ann", action: "plan.put", kind: "plan", id: "p1"),
            Entry(1, who: "bob", action: "instance.cancel", kind: "instance", id: "ti-1"),
            Entry(2, who: "bob", action: "instance.step.skip", kind: "instance", id: "ti-1/steps/2"),
            Entry(3, who: "cy", action: "instance.cancel", kind: "instance", id: "ti-10"),
            Entry(4, who: "ann", action: "agent.register", kind: "host", id: null),
        ]);

        async Task<string> Minutes(AuditQuery q) =>
            string.Join(",", (await audit.QueryAsync(q)).Select(r => (int)(r.At - T0).TotalMinutes));

        Assert.Equal("4,0", await Minutes(new AuditQuery(Who: "ann")));
        Assert.Equal("3,2,1", await Minutes(new AuditQuery(ObjectKind: "instance")));
        Assert.Equal("2,1", await Minutes(new AuditQuery(ObjectKind: "instance", ObjectId: "ti-1"))); // its step too, not ti-10
        Assert.Equal("2", await Minutes(new AuditQuery(ObjectKind: "instance", ObjectId: "ti-1/steps/2")));
        Assert.Equal("", await Minutes(new AuditQuery(ObjectKind: "plan", ObjectId: "ti-1")));
        Assert.Equal("3,1", await Minutes(new AuditQuery(Action: "instance.cancel")));
        Assert.Equal("3,2,1", await Minutes(new AuditQuery(From: T0.AddMinutes(1), To: T0.AddMinutes(4)))); // from inclusive, to exclusive
        Assert.Equal("1", await Minutes(new AuditQuery(Who: "bob", Action: "instance.cancel")));
    }

    [Fact]
    public async Task Query_PagedWithBeforeId_WalksEveryEntryOnce()
    {
        var audit = (await OpenAsync()).Audit;
        await audit.AppendAsync([.. Enumerable.Range(0, 7).Select(i => Entry(i))]);

        var seen = new List<int>();
        long? before = null;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await audit.QueryAsync(new AuditQuery(BeforeId: before, Limit: 3));
            seen.AddRange(page.Select(r => (int)(r.At - T0).TotalMinutes));
            if (page.Count < 3)
            {
                break;
            }
            before = page[^1].Id;
        }

        Assert.Equal([6, 5, 4, 3, 2, 1, 0], seen);
    }

    [Fact]
    public async Task Append_TextWithControlCharactersOrTooLong_IsStoredCleanedAndCut()
    {
        var audit = (await OpenAsync()).Audit;

        await audit.AppendAsync([Entry(0, who: "evil\0user\n", id: new string('x', 2000))]);
        var row = Assert.Single(await audit.QueryAsync(new AuditQuery()));

        Assert.Equal("evil?user?", row.Who);
        Assert.Equal(AuditEntry.MaxTextLength, row.ObjectId!.Length);
    }

    [Fact]
    public async Task AuditWriter_ManyConcurrentAppends_AllStoredInFewerTransactions()
    {
        var database = await OpenAsync();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => database.AuditWriter.AppendAsync(Entry(i, who: "w" + i))));

        var rows = await database.Audit.QueryAsync(new AuditQuery(Limit: 1000));
        Assert.Equal(200, rows.Count);
        Assert.Equal(200, rows.Select(r => r.Who).Distinct().Count());
        Assert.InRange(database.AuditWriter.Transactions, 1, 199); // grouped: not one transaction per entry
    }
}

public sealed class PostgresAuditConformanceTests : AuditConformanceTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Postgres("audit");
}

public sealed class SqliteAuditConformanceTests : AuditConformanceTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Sqlite();
}
