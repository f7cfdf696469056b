using System.Globalization;
using Microsoft.Data.Sqlite;
using Orchestrator.Runtime.Logs;
using static Orchestrator.Runtime.Storage.Sqlite.SqliteConnector;

namespace Orchestrator.Runtime.Storage.Sqlite;

/// <summary>Logs on SQLite: one table keyed by (stream, seq); retention deletes by day. Appends go through the single writer.</summary>
internal sealed class SqliteLogStore(SqliteConnector store, long cap) : ILogStore
{
    private const string ChunkColumns = "seq, at, channel, text";

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public Task<LogAppendResult> AppendAsync(IReadOnlyList<LogChunk> chunks, CancellationToken cancellationToken = default)
    {
        (chunks, var streams) = LogAppendPlan.Prepare(chunks);
        if (chunks.Count == 0)
        {
            return Task.FromResult(new LogAppendResult(0, 0, 0));
        }
        return store.WriteAsync((c, tx) =>
        {
            var states = new Dictionary<string, LogStreamState>(StringComparer.Ordinal);
            using (var cmd = Command(c, tx, "SELECT bytes, truncated FROM orch_log_stream WHERE stream = @s", ("s", "")))
            {
                foreach (var stream in streams)
                {
                    cmd.Parameters["@s"].Value = stream;
                    using var reader = cmd.ExecuteReader();
                    if (reader.Read())
                    {
                        states[stream] = new LogStreamState(reader.GetInt64(0), reader.GetBoolean(1));
                    }
                }
            }
            var existing = new HashSet<(string, long)>();
            using (var cmd = Command(c, tx, "SELECT count(*) FROM orch_log WHERE stream = @s AND seq = @q", ("s", ""), ("q", 0L)))
            {
                foreach (var chunk in chunks)
                {
                    cmd.Parameters["@s"].Value = chunk.Stream;
                    cmd.Parameters["@q"].Value = chunk.Seq;
                    if ((long)cmd.ExecuteScalar()! > 0)
                    {
                        existing.Add((chunk.Stream, chunk.Seq));
                    }
                }
            }
            var plan = LogAppendPlan.Make(chunks, states, existing, cap);
            using (var insert = Command(c, tx, "INSERT OR IGNORE INTO orch_log (day, stream, seq, at, channel, text, bytes) VALUES (@day, @s, @q, @at, @channel, @text, @bytes)",
                ("day", ""), ("s", ""), ("q", 0L), ("at", 0L), ("channel", ""), ("text", ""), ("bytes", 0)))
            {
                foreach (var row in plan.Rows)
                {
                    insert.Parameters["@day"].Value = Day(row.Day);
                    insert.Parameters["@s"].Value = row.Stream;
                    insert.Parameters["@q"].Value = row.Seq;
                    insert.Parameters["@at"].Value = Ms(row.At);
                    insert.Parameters["@channel"].Value = row.Channel;
                    insert.Parameters["@text"].Value = row.Text;
                    insert.Parameters["@bytes"].Value = row.Bytes;
                    insert.ExecuteNonQuery();
                }
            }
            foreach (var change in plan.Streams)
            {
                Exec(c, tx,
                    "INSERT INTO orch_log_stream (stream, bytes, chunks, truncated, last_day) VALUES (@s, @b, @c, @t, @d) ON CONFLICT (stream) DO UPDATE SET " +
                    "bytes = bytes + excluded.bytes, chunks = chunks + excluded.chunks, truncated = truncated OR excluded.truncated, " +
                    "last_day = max(coalesce(last_day, ''), excluded.last_day)",
                    ("s", change.Stream), ("b", change.Bytes), ("c", change.Chunks), ("t", change.Truncated), ("d", Day(change.LastDay)));
            }
            return plan.Result;
        }, cancellationToken);
    }

    public Task<LogPage> ReadAsync(string stream, long fromSeq, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        stream = LogText.Clean(stream);
        return Page(stream, fromSeq, $"SELECT {ChunkColumns} FROM orch_log WHERE stream = @s AND seq >= @n ORDER BY seq LIMIT @limit", fromSeq, limit, cancellationToken);
    }

    public Task<LogPage> TailAsync(string stream, int chunks, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        stream = LogText.Clean(stream);
        return Page(stream, 0,
            $"SELECT {ChunkColumns} FROM (SELECT {ChunkColumns} FROM orch_log WHERE stream = @s AND seq >= @n ORDER BY seq DESC LIMIT @limit) ORDER BY seq",
            0, chunks, cancellationToken);
    }

    private Task<LogPage> Page(string stream, long fromSeq, string sql, long n, int limit, CancellationToken cancellationToken) => store.ReadAsync(c =>
    {
        // One read transaction: the chunks and the counters come from one snapshot.
        using var tx = c.BeginTransaction(deferred: true);
        var chunks = new List<LogChunk>();
        using (var cmd = Command(c, tx, sql, ("s", stream), ("n", n), ("limit", limit)))
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                chunks.Add(new LogChunk(stream, reader.GetInt64(0), At(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3)));
            }
        }
        LogStreamState? state = null;
        using (var cmd = Command(c, tx, "SELECT bytes, truncated FROM orch_log_stream WHERE stream = @s", ("s", stream)))
        using (var reader = cmd.ExecuteReader())
        {
            if (reader.Read())
            {
                state = new LogStreamState(reader.GetInt64(0), reader.GetBoolean(1));
            }
        }
        return LogAppendPlan.Page(chunks, fromSeq, state);
    }, cancellationToken);

    public Task<long> DeleteStreamsAsync(string streamPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamPrefix);
        streamPrefix = LogText.Clean(streamPrefix);
        // BINARY order is bytewise, so the prefix is a range both primary keys serve.
        var upper = LogStreamRange.UpperBound(streamPrefix);
        var range = upper is null ? "stream >= @lower" : "stream >= @lower AND stream < @upper";
        (string, object?)[] bounds = upper is null ? [("lower", streamPrefix)] : [("lower", streamPrefix), ("upper", upper)];
        return store.WriteAsync((c, tx) =>
        {
            long deleted = Exec(c, tx, $"DELETE FROM orch_log WHERE {range}", bounds);
            Exec(c, tx, $"DELETE FROM orch_log_stream WHERE {range}", bounds);
            return deleted;
        }, cancellationToken);
    }

    public Task DropBeforeAsync(DateOnly day, CancellationToken cancellationToken = default) => store.WriteAsync((c, tx) =>
    {
        Exec(c, tx, "DELETE FROM orch_log WHERE day < @day", ("day", Day(day)));
        return Exec(c, tx, "DELETE FROM orch_log_stream WHERE last_day < @day", ("day", Day(day)));
    }, cancellationToken);
}
