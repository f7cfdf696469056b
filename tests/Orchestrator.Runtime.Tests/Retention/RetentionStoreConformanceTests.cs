using System.Text;
using Orchestrator.Runtime.Audit;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Retention;
using Orchestrator.Runtime.Tests.Infrastructure;
using static Orchestrator.Runtime.Storage.Sqlite.SqliteConnector;

namespace Orchestrator.Runtime.Tests.Retention;

/// <summary>The retention pass's queries, run unchanged on PostgreSQL and SQLite: old audit ranges, old files, old log days.</summary>
public abstract class RetentionStoreConformanceTests : DatabaseTestBase
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static AuditEntry Entry(int minute) =>
        new(T0.AddMinutes(minute), "ann", "plan.put", "plan", $"p{minute}", "PUT", "/api/v1/plans/{id}", 200, null, "127.0.0.1", $"{minute:x32}");

    [Fact]
    public async Task AuditBefore_ThenDeleteTheRange_OnlyThatRangeBeforeTheCutoffGoesOnce()
    {
        var database = await OpenAsync();
        var store = RetentionStores.On(database);
        await database.Audit.AppendAsync([.. Enumerable.Range(0, 6).Select(Entry)]);
        var cutoff = T0.AddMinutes(3);

        var firstBatch = await store.AuditBeforeAsync(cutoff, 0, long.MaxValue, 2);
        var all = await store.AuditBeforeAsync(cutoff, 0, long.MaxValue, 100);
        var again = await store.AuditBeforeAsync(cutoff, firstBatch[0].Id, firstBatch[^1].Id, 100);

        Assert.Equal(["p0", "p1"], firstBatch.Select(e => e.ObjectId));
        Assert.Equal(["p0", "p1", "p2"], all.Select(e => e.ObjectId));
        Assert.Equal(firstBatch, again);
        Assert.Equal(Entry(0), firstBatch[0] with { Id = 0 });
        Assert.Equal(2, await store.DeleteAuditAsync(firstBatch[0].Id, firstBatch[^1].Id, cutoff));
        Assert.Equal(0, await store.DeleteAuditAsync(firstBatch[0].Id, firstBatch[^1].Id, cutoff));
        // A range reaching past the cutoff deletes only what is before it.
        Assert.Equal(1, await store.DeleteAuditAsync(0, long.MaxValue, cutoff));
        Assert.Equal(["p5", "p4", "p3"], (await database.Audit.QueryAsync(new AuditQuery())).Select(e => e.ObjectId));
    }

    [Fact]
    public async Task BlobsCreatedBefore_PagedByHash_DeletedOnlyIfStillThatOld()
    {
        var database = await OpenAsync();
        var store = RetentionStores.On(database);
        var sha = new Dictionary<string, string>();
        foreach (var text in new[] { "one", "two", "three" })
        {
            sha[text] = (await database.Blobs.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)))).Sha256;
        }
        var sorted = sha.Values.Order(StringComparer.Ordinal).ToList();
        // Relative to real time: a put stamps the file with the database's clock.
        var now = TimeProvider.System.GetUtcNow();
        var cutoff = new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero).AddDays(-30); // whole ms: both stores keep it
        var old = cutoff.AddYears(-1);
        foreach (var hash in sorted)
        {
            await SetCreatedAtAsync(database, hash, old);
        }

        var page1 = await store.BlobsCreatedBeforeAsync(cutoff, null, 2);
        var page2 = await store.BlobsCreatedBeforeAsync(cutoff, page1[^1].Sha256, 2);

        Assert.Equal(sorted[..2], page1.Select(b => b.Sha256));
        Assert.Equal([sorted[2]], page2.Select(b => b.Sha256));
        Assert.Equal(old, page1[0].CreatedAt);
        Assert.Empty(await store.BlobsCreatedBeforeAsync(old, null, 10));
        Assert.Equal(0, await store.DeleteBlobsAsync([sha["one"]], old)); // not older than that
        Assert.Equal(1, await store.DeleteBlobsAsync([sha["one"], new string('0', 64)], cutoff));
        Assert.Null(await database.Blobs.GetInfoAsync(sha["one"]));

        // Uploading a file again makes it young: no longer a candidate, and not deleted as an old one.
        await database.Blobs.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes("two")));
        Assert.Equal([sha["three"]], (await store.BlobsCreatedBeforeAsync(cutoff, null, 10)).Select(b => b.Sha256));
        Assert.Equal(0, await store.DeleteBlobsAsync([sha["two"]], cutoff));
        Assert.NotNull(await database.Blobs.GetInfoAsync(sha["two"]));
    }

    [Fact]
    public async Task LogDaysBefore_TrimmedAndDropped_OnlyEarlierDaysGo()
    {
        var database = await OpenAsync();
        var store = RetentionStores.On(database);
        var day1 = new DateTimeOffset(2030, 1, 1, 10, 0, 0, TimeSpan.Zero);
        var day2 = day1.AddDays(1);
        await database.Logs.AppendAsync([
            new LogChunk("s1#1", 0, day1, "stdout", "a"), new LogChunk("s1#1", 1, day1, "stdout", "b"), new LogChunk("s1#1", 2, day1, "stdout", "c"),
            new LogChunk("s2#1", 0, day2, "stdout", "kept"),
        ]);
        var cut = DateOnly.FromDateTime(day2.UtcDateTime);

        Assert.Equal([DateOnly.FromDateTime(day1.UtcDateTime)], await store.LogDaysBeforeAsync(cut));
        var trimmed = 0;
        var batches = 0;
        while (await store.TrimLogsBeforeAsync(cut, 2) is var n and > 0)
        {
            trimmed += n;
            batches++;
        }
        Assert.True(trimmed is 0 or 3, $"trimmed {trimmed}"); // SQLite deletes row batches; PostgreSQL drops partitions whole
        Assert.True(trimmed == 0 || batches == 2, $"{batches} batches");
        await database.Logs.DropBeforeAsync(cut);

        Assert.Empty(await store.LogDaysBeforeAsync(cut));
        Assert.Empty((await database.Logs.ReadAsync("s1#1", 0, 10)).Chunks);
        Assert.Equal("kept", (await database.Logs.ReadAsync("s2#1", 0, 10)).Chunks.Single().Text);
    }

    private static async Task SetCreatedAtAsync(OrchestratorDatabase database, string sha, DateTimeOffset at)
    {
        if (database.DataSource is { } postgres)
        {
            await using var cmd = postgres.CreateCommand("UPDATE orch_blob SET created_at = @at WHERE sha256 = @sha");
            cmd.Parameters.AddWithValue("at", at);
            cmd.Parameters.AddWithValue("sha", sha);
            await cmd.ExecuteNonQueryAsync();
            return;
        }
        await database.Sqlite!.WriteAsync((c, tx) => Exec(c, tx, "UPDATE orch_blob SET created_at = @at WHERE sha256 = @sha", ("at", Ms(at)), ("sha", sha)), default);
    }
}

public sealed class PostgresRetentionStoreConformanceTests : RetentionStoreConformanceTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Postgres("retention");
}

public sealed class SqliteRetentionStoreConformanceTests : RetentionStoreConformanceTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Sqlite();
}
