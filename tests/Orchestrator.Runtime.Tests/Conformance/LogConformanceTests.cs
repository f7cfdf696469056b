using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>
/// The log store, run unchanged on PostgreSQL (partitioned by day) and SQLite: each (stream, seq) stored once,
/// reads in seq order, a per-stream size cap with one marker, retention by day.
/// </summary>
public abstract class LogConformanceTests : DatabaseTestBase
{
    private static readonly DateOnly Day0 = new(2031, 3, 1);

    /// <summary>The days that hold chunks: PostgreSQL's partitions (checked to be attached), SQLite's distinct days.</summary>
    protected abstract Task<List<DateOnly>> StoredDaysAsync(string connectionString);

    private static DateTimeOffset At(DateOnly day, int hour = 12, int minute = 0) => new(day.ToDateTime(new TimeOnly(hour, minute)), TimeSpan.Zero);

    private static LogChunk Chunk(string stream, long seq, string text, DateOnly? day = null, string channel = "stdout") =>
        new(stream, seq, At(day ?? Day0, 12, (int)(seq % 60)), channel, text);

    private static string Seqs(LogPage page) => string.Join(",", page.Chunks.Select(c => c.Seq));

    private async Task<ILogStore> StartLogsAsync(Action<OrchestratorDatabaseOptions>? configure = null) =>
        (await OpenAsync(configure)).Logs;

    [Fact]
    public async Task Append_ResentChunks_AreStoredAndCountedOnce()
    {
        var logs = await StartLogsAsync();
        var texts = Enumerable.Range(0, 8).Select(i => i == 7 ? "héllo\n" : $"line {i}\n").ToArray();

        Assert.Equal(new LogAppendResult(5, 0, 0), await logs.AppendAsync([.. Enumerable.Range(0, 5).Select(i => Chunk("s", i, texts[i]))]));
        Assert.Equal(new LogAppendResult(2, 3, 0), await logs.AppendAsync([.. Enumerable.Range(2, 5).Select(i => Chunk("s", i, texts[i]))]));
        Assert.Equal(new LogAppendResult(1, 1, 0), await logs.AppendAsync([Chunk("s", 7, texts[7]), Chunk("s", 7, texts[7])]));

        var page = await logs.ReadAsync("s", 0, 100);
        Assert.Equal(texts, page.Chunks.Select(c => c.Text));
        Assert.Equal([.. Enumerable.Range(0, 8).Select(i => Chunk("s", i, texts[i]))], page.Chunks);
        Assert.Equal(8, page.NextSeq);
        Assert.False(page.Truncated);
        Assert.Equal(texts.Sum(t => Encoding.UTF8.GetByteCount(t)), page.StoredBytes); // "é" is two bytes
    }

    [Fact]
    public async Task Read_FromSeqWithLimit_PagesInSeqOrderAcrossDays()
    {
        var logs = await StartLogsAsync();
        var chunks = Enumerable.Range(0, 6).Select(i => Chunk("s", i, $"{i}", Day0.AddDays(i / 2))).ToList();
        await logs.AppendAsync([chunks[5], chunks[1], chunks[3]]);
        await logs.AppendAsync([chunks[0], chunks[4], chunks[2]]);

        var first = await logs.ReadAsync("s", 0, 2);
        var second = await logs.ReadAsync("s", first.NextSeq, 2);
        var third = await logs.ReadAsync("s", second.NextSeq, 10);
        var end = await logs.ReadAsync("s", third.NextSeq, 10);

        Assert.Equal(("0,1", 2L), (Seqs(first), first.NextSeq));
        Assert.Equal(("2,3", 4L), (Seqs(second), second.NextSeq));
        Assert.Equal(("4,5", 6L), (Seqs(third), third.NextSeq));
        Assert.Equal(("", 6L), (Seqs(end), end.NextSeq));
        Assert.Equal(chunks[2..4], second.Chunks);
        var unknown = await logs.ReadAsync("unknown", 3, 10);
        Assert.Equal(("", 3L, false, 0L), (Seqs(unknown), unknown.NextSeq, unknown.Truncated, unknown.StoredBytes));
    }

    [Fact]
    public async Task Append_WithALocalClock_PicksTheUtcDay()
    {
        var logs = await StartLogsAsync();
        // 01:00 at UTC+2 on 2 March is 23:00 UTC on 1 March.
        await logs.AppendAsync([new LogChunk("s", 0, new DateTimeOffset(2031, 3, 2, 1, 0, 0, TimeSpan.FromHours(2)), "stdout", "late")]);

        Assert.Equal([Day0], await StoredDaysAsync(CurrentStore.ConnectionString));
        Assert.Equal(new DateTimeOffset(2031, 3, 1, 23, 0, 0, TimeSpan.Zero), (await logs.ReadAsync("s", 0, 1)).Chunks.Single().At);
    }

    [Fact]
    public async Task Tail_ReturnsTheLastChunksInSeqOrder()
    {
        var logs = await StartLogsAsync();
        await logs.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Chunk("s", i, $"{i}", Day0.AddDays(i % 3)))]);

        var tail = await logs.TailAsync("s", 3);
        Assert.Equal(("7,8,9", 10L), (Seqs(tail), tail.NextSeq));
        Assert.Equal("0,1,2,3,4,5,6,7,8,9", Seqs(await logs.TailAsync("s", 20)));
        var none = await logs.TailAsync("unknown", 3);
        Assert.Equal(("", 0L, 0L), (Seqs(none), none.NextSeq, none.StoredBytes));
    }

    [Fact]
    public async Task Append_PastTheCap_StoresOneMarkerAndDropsEveryLaterChunk()
    {
        var logs = await StartLogsAsync(o => o.LogMaxBytesPerStream = 100);
        var line = new string('x', 29) + "\n"; // 30 bytes: three fit in 100, the fourth does not

        Assert.Equal(new LogAppendResult(3, 0, 3), await logs.AppendAsync([.. Enumerable.Range(0, 6).Select(i => Chunk("s", i, line))]));
        Assert.Equal(new LogAppendResult(0, 0, 1), await logs.AppendAsync([Chunk("s", 6, "x")]));
        Assert.Equal(new LogAppendResult(0, 2, 0), await logs.AppendAsync([Chunk("s", 0, line), Chunk("s", 3, line)]));

        var page = await logs.ReadAsync("s", 0, 100);
        Assert.Equal("0,1,2,3", Seqs(page));
        var marker = page.Chunks[3];
        Assert.Equal(("system", "[log truncated: cap of 100 bytes reached]"), (marker.Channel, marker.Text));
        Assert.Equal((true, 90L, 4L), (page.Truncated, page.StoredBytes, page.NextSeq));
        Assert.True((await logs.TailAsync("s", 1)).Truncated);

        // Other streams have caps of their own; a first chunk over the cap leaves only the marker.
        Assert.Equal(new LogAppendResult(1, 0, 0), await logs.AppendAsync([Chunk("other", 0, line)]));
        Assert.False((await logs.ReadAsync("other", 0, 10)).Truncated);
        Assert.Equal(new LogAppendResult(0, 0, 2), await logs.AppendAsync([Chunk("huge", 0, new string('y', 101)), Chunk("huge", 1, "y")]));
        var huge = await logs.ReadAsync("huge", 0, 10);
        Assert.Equal(("0", "system", true, 0L), (Seqs(huge), huge.Chunks[0].Channel, huge.Truncated, huge.StoredBytes));
    }

    /// <summary>Text as sent, and as stored. Built in code: an attribute cannot carry a lone surrogate.</summary>
    private static readonly (string Text, string Stored)[] Texts =
    [
        ("a\0b\n", "a\u2400b\n"), // NUL: PostgreSQL's text refuses it; shown as U+2400
        ("\0\0", "\u2400\u2400"),
        ("x\ud800y", "x\ufffdy"), // a lone high surrogate (JSON can carry "\ud800")
        ("\udc00", "\ufffd"), // a lone low surrogate
        ("cut \ud83d", "cut \ufffd"), // half of a 4-byte character at the end
        ("\ude00\ud83d", "\ufffd\ufffd"), // both halves, in the wrong order
        ("kept \ufffd as is", "kept \ufffd as is"), // U+FFFD itself (how the agent shows invalid UTF-8)
        ("4 bytes: \U0001F600 \U0001D11E", "4 bytes: \U0001F600 \U0001D11E"), // surrogate pairs stay whole
        ("ctrl \u0001\u001b[31m\r\u007f", "ctrl \u0001\u001b[31m\r\u007f"), // other control characters stay
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Append_AnyText_IsStoredAndReadBackWithTheDocumentedReplacements(int textCase)
    {
        var (text, expected) = Texts[textCase];
        var logs = await StartLogsAsync();

        Assert.Equal(new LogAppendResult(2, 0, 0), await logs.AppendAsync([Chunk("s", 0, text), Chunk("s", 1, "after\n")]));
        Assert.Equal(new LogAppendResult(0, 1, 0), await logs.AppendAsync([Chunk("s", 0, text)]));

        var page = await logs.ReadAsync("s", 0, 10);
        Assert.Equal([expected, "after\n"], page.Chunks.Select(c => c.Text));
        Assert.Equal(Encoding.UTF8.GetByteCount(expected + "after\n"), page.StoredBytes);
        Assert.Equal([expected, "after\n"], (await logs.TailAsync("s", 2)).Chunks.Select(c => c.Text));
    }

    [Fact]
    public async Task Append_NulInStreamAndChannel_IsStoredAndReadBackUnderTheSameName()
    {
        var logs = await StartLogsAsync();

        Assert.Equal(new LogAppendResult(1, 0, 0), await logs.AppendAsync([Chunk("s\0x\ud800", 0, "text", channel: "std\0out")]));

        var page = await logs.ReadAsync("s\0x\ud800", 0, 10);
        Assert.Equal(("std\u2400out", "text"), (page.Chunks.Single().Channel, page.Chunks.Single().Text));
        Assert.Equal("0", Seqs(await logs.TailAsync("s\0x\ud800", 5)));
        Assert.Equal(1, await logs.DeleteStreamsAsync("s\0"));
    }

    [Fact]
    public async Task Append_AtTheEndsOfTime_IsStoredAndReadBack()
    {
        var logs = await StartLogsAsync();

        await logs.AppendAsync([new LogChunk("s", 0, DateTimeOffset.MinValue, "stdout", "first"), new LogChunk("s", 1, DateTimeOffset.MaxValue, "stdout", "last")]);

        Assert.Equal(["first", "last"], (await logs.ReadAsync("s", 0, 10)).Chunks.Select(c => c.Text));
    }

    [Fact]
    public async Task DropBefore_RemovesEarlierDays_AndForgetsStreamsLeftEmpty()
    {
        var logs = await StartLogsAsync();
        await logs.AppendAsync([Chunk("old", 0, "a"), Chunk("span", 0, "a"), Chunk("span", 1, "b", Day0.AddDays(1)), Chunk("span", 2, "c", Day0.AddDays(2))]);
        Assert.Equal([Day0, Day0.AddDays(1), Day0.AddDays(2)], await StoredDaysAsync(CurrentStore.ConnectionString));

        await logs.DropBeforeAsync(Day0.AddDays(1));

        Assert.Equal([Day0.AddDays(1), Day0.AddDays(2)], await StoredDaysAsync(CurrentStore.ConnectionString));
        Assert.Equal("1,2", Seqs(await logs.ReadAsync("span", 0, 10)));
        var old = await logs.ReadAsync("old", 0, 10);
        Assert.Equal(("", 0L), (Seqs(old), old.StoredBytes));
        await logs.DropBeforeAsync(Day0.AddDays(1)); // nothing left to drop: a no-op

        // A dropped day can be written again (the day's partition comes back).
        Assert.Equal(new LogAppendResult(1, 0, 0), await logs.AppendAsync([Chunk("old", 5, "again")]));
        Assert.Equal([Day0, Day0.AddDays(1), Day0.AddDays(2)], await StoredDaysAsync(CurrentStore.ConnectionString));
    }

    [Fact]
    public async Task DeleteStreams_ByPrefix_RemovesThoseStreamsOnEveryDayAndNothingElse()
    {
        var logs = await StartLogsAsync(o => o.LogMaxBytesPerStream = 100);
        const string prefix = "i1:0:web-1#";
        string[] doomed = [prefix + "1", prefix + "2", prefix + "\U0001F600"];
        // Neighbours on both sides: another host sharing the name's start, the prefix's successor ('#' + 1 is '$'),
        // its predecessor, the bare target key, and a prefix that would be a pattern to LIKE.
        string[] kept = ["i1:0:web-10#1", "i1:0:web-1$", "i1:0:web-1\"1", "i1:0:web-1", "abcx"];
        await logs.AppendAsync([.. doomed.SelectMany(s => new[] { Chunk(s, 0, "a"), Chunk(s, 1, "b", Day0.AddDays(1)) })]);
        await logs.AppendAsync([.. kept.Append("a%_x").Select(s => Chunk(s, 0, "kept"))]);
        await logs.AppendAsync([Chunk(prefix + "2", 2, new string('x', 200), Day0.AddDays(2))]); // over the cap: truncated

        Assert.Equal(7, await logs.DeleteStreamsAsync(prefix)); // two chunks each, and the cap's marker
        Assert.Equal(1, await logs.DeleteStreamsAsync("a%_"));

        foreach (var stream in doomed.Append("a%_x"))
        {
            var page = await logs.ReadAsync(stream, 0, 10);
            Assert.Equal(("", 0L, false), (Seqs(page), page.StoredBytes, page.Truncated));
        }
        foreach (var stream in kept)
        {
            Assert.Equal("kept", (await logs.ReadAsync(stream, 0, 10)).Chunks.Single().Text);
        }
        Assert.Equal(0, await logs.DeleteStreamsAsync(prefix)); // a repeat finds nothing

        // The counters went with the chunks: a stream written again starts afresh, under its cap.
        Assert.Equal(new LogAppendResult(1, 0, 0), await logs.AppendAsync([Chunk(prefix + "2", 0, "again")]));
        var again = await logs.ReadAsync(prefix + "2", 0, 10);
        Assert.Equal(("0", 5L, false), (Seqs(again), again.StoredBytes, again.Truncated));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => logs.DeleteStreamsAsync(""));
    }

    [Fact]
    public async Task Append_AfterAnotherProcessDroppedTheDay_WritesItAgain()
    {
        var logs = await StartLogsAsync();
        var other = await OpenAgainAsync(CurrentStore);
        await logs.AppendAsync([Chunk("s", 0, "a")]);

        await other.Logs.DropBeforeAsync(Day0.AddDays(1));

        Assert.Equal(new LogAppendResult(1, 0, 0), await logs.AppendAsync([Chunk("s", 1, "b")]));
        Assert.Equal("1", Seqs(await other.Logs.ReadAsync("s", 0, 10)));
    }

    [Fact]
    public async Task Append_FromTwoProcessesAtOnce_CreatesEachDayOnce()
    {
        var logs = await StartLogsAsync();
        var other = await OpenAgainAsync(CurrentStore);
        var days = Enumerable.Range(0, 8).Select(i => new DateOnly(2031, 4, 1).AddDays(i)).ToList();

        var results = await Task.WhenAll(days.SelectMany(day => new[]
        {
            logs.AppendAsync([Chunk("a", day.Day, "a", day)]),
            other.Logs.AppendAsync([Chunk("b", day.Day, "b", day)]),
        }));

        Assert.All(results, r => Assert.Equal(new LogAppendResult(1, 0, 0), r));
        Assert.Equal(days, await StoredDaysAsync(CurrentStore.ConnectionString));
        Assert.Equal(string.Join(",", days.Select(d => d.Day)), Seqs(await other.Logs.ReadAsync("a", 0, 100)));
        Assert.Equal(string.Join(",", days.Select(d => d.Day)), Seqs(await logs.ReadAsync("b", 0, 100)));
    }
}

public sealed class PostgresLogConformanceTests : LogConformanceTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Postgres("log");

    protected override async Task<List<DateOnly>> StoredDaysAsync(string connectionString)
    {
        var schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath!;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        async Task<List<string>> Names(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, connection);
            cmd.Parameters.AddWithValue("schema", schema);
            var names = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
            return names;
        }
        var partitions = await Names("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE i.inhparent = 'orch_log'::regclass AND n.nspname = @schema ORDER BY 1
            """);
        // Dropped partitions are gone, not merely detached.
        Assert.Equal(partitions, await Names("SELECT tablename FROM pg_tables WHERE schemaname = @schema AND tablename LIKE 'orch\\_log\\_2%' ORDER BY 1"));
        return [.. partitions.Select(p => DateOnly.ParseExact(p["orch_log_".Length..], "yyyyMMdd", CultureInfo.InvariantCulture))];
    }
}

public sealed class SqliteLogConformanceTests : LogConformanceTests
{
    protected override OrchestratorDatabaseOptions NewStore() => TestStores.Sqlite();

    protected override async Task<List<DateOnly>> StoredDaysAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT DISTINCT day FROM orch_log ORDER BY day";
        var days = new List<DateOnly>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            days.Add(DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        return days;
    }
}
