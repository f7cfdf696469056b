using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orchestrator.Runtime.Logs;

namespace Orchestrator.Runtime.Storage.Postgres;

/// <summary>
/// Logs on PostgreSQL: <c>orch_log</c> partitioned by UTC day, one partition (<c>orch_log_yyyymmdd</c>, in the
/// schema of the parent) created on first use and dropped whole by retention. An append locks its streams' rows in
/// <c>orch_log_stream</c>, so concurrent writers of one stream see each other's bytes and seqs.
/// </summary>
internal sealed partial class PostgresLogStore(NpgsqlDataSource dataSource, long cap, ILogger logger) : ILogStore
{
    private const string ChunkColumns = "seq, at, channel, text";

    /// <summary>Days whose partition this process made sure of; forgotten when retention drops them.</summary>
    private readonly ConcurrentDictionary<DateOnly, bool> _days = new();

    public async Task<LogAppendResult> AppendAsync(IReadOnlyList<LogChunk> chunks, CancellationToken cancellationToken = default)
    {
        (chunks, var streams) = LogAppendPlan.Prepare(chunks);
        if (chunks.Count == 0)
        {
            return new LogAppendResult(0, 0, 0);
        }
        var days = chunks.Select(c => LogAppendPlan.DayOf(c.At)).Distinct().ToList();
        for (var attempt = 0; ; attempt++)
        {
            await EnsurePartitionsAsync(days, cancellationToken).ConfigureAwait(false);
            try
            {
                return await AppendOnceAsync(chunks, streams, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CheckViolation && attempt == 0)
            {
                // "No partition for the row": a day this process knew was dropped since (retention elsewhere).
                foreach (var day in days)
                {
                    _days.TryRemove(day, out _);
                }
            }
        }
    }

    private async Task<LogAppendResult> AppendOnceAsync(IReadOnlyList<LogChunk> chunks, List<string> streams, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var states = await LockStreamsAsync(connection, tx, streams, cancellationToken).ConfigureAwait(false);
        var existing = await ExistingAsync(connection, tx, chunks, cancellationToken).ConfigureAwait(false);
        var plan = LogAppendPlan.Make(chunks, states, existing, cap);
        if (plan.Rows.Count > 0)
        {
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO orch_log (day, stream, seq, at, channel, text, bytes) SELECT * FROM unnest(@day, @stream, @seq, @at, @channel, @text, @bytes) ON CONFLICT DO NOTHING",
                connection, tx))
            {
                var rows = plan.Rows;
                insert.Parameters.AddWithValue("day", rows.Select(r => r.Day).ToArray());
                insert.Parameters.AddWithValue("stream", rows.Select(r => r.Stream).ToArray());
                insert.Parameters.AddWithValue("seq", rows.Select(r => r.Seq).ToArray());
                insert.Parameters.AddWithValue("at", rows.Select(r => r.At.ToUniversalTime()).ToArray());
                insert.Parameters.AddWithValue("channel", rows.Select(r => r.Channel).ToArray());
                insert.Parameters.AddWithValue("text", rows.Select(r => r.Text).ToArray());
                insert.Parameters.AddWithValue("bytes", rows.Select(r => r.Bytes).ToArray());
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await using var update = new NpgsqlCommand("""
                UPDATE orch_log_stream s SET bytes = s.bytes + u.b, chunks = s.chunks + u.c, truncated = s.truncated OR u.t, last_day = GREATEST(s.last_day, u.d)
                FROM unnest(@stream, @b, @c, @t, @d) AS u(stream, b, c, t, d) WHERE s.stream = u.stream
                """, connection, tx);
            var changes = plan.Streams;
            update.Parameters.AddWithValue("stream", changes.Select(c => c.Stream).ToArray());
            update.Parameters.AddWithValue("b", changes.Select(c => c.Bytes).ToArray());
            update.Parameters.AddWithValue("c", changes.Select(c => c.Chunks).ToArray());
            update.Parameters.AddWithValue("t", changes.Select(c => c.Truncated).ToArray());
            update.Parameters.AddWithValue("d", changes.Select(c => c.LastDay).ToArray());
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return plan.Result;
    }

    /// <summary>Creates the streams' rows if new and locks them, in ordinal order (as every writer does); their counters.</summary>
    private static async Task<Dictionary<string, LogStreamState>> LockStreamsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<string> streams, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand("INSERT INTO orch_log_stream (stream) SELECT unnest(@streams) ON CONFLICT DO NOTHING", connection, tx))
        {
            create.Parameters.AddWithValue("streams", streams.ToArray());
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using var cmd = new NpgsqlCommand(
            "SELECT stream, bytes, truncated FROM orch_log_stream WHERE stream = ANY(@streams) ORDER BY stream COLLATE \"C\" FOR UPDATE", connection, tx);
        cmd.Parameters.AddWithValue("streams", streams.ToArray());
        var states = new Dictionary<string, LogStreamState>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            states[reader.GetString(0)] = new LogStreamState(reader.GetInt64(1), reader.GetBoolean(2));
        }
        return states;
    }

    /// <summary>Which (stream, seq) of the chunks are stored, on any day (read after the lock: a fresh snapshot).</summary>
    private static async Task<HashSet<(string Stream, long Seq)>> ExistingAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<LogChunk> chunks, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT l.stream, l.seq FROM unnest(@stream, @seq) AS u(stream, seq) JOIN orch_log l ON l.stream = u.stream AND l.seq = u.seq", connection, tx);
        cmd.Parameters.AddWithValue("stream", chunks.Select(c => c.Stream).ToArray());
        cmd.Parameters.AddWithValue("seq", chunks.Select(c => c.Seq).ToArray());
        var existing = new HashSet<(string, long)>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            existing.Add((reader.GetString(0), reader.GetInt64(1)));
        }
        return existing;
    }

    public Task<LogPage> ReadAsync(string stream, long fromSeq, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        stream = LogText.Clean(stream);
        return PageAsync(stream, fromSeq,
            $"SELECT {ChunkColumns} FROM orch_log WHERE stream = @stream AND seq >= @n ORDER BY seq LIMIT @limit", fromSeq, limit, cancellationToken);
    }

    public Task<LogPage> TailAsync(string stream, int chunks, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        stream = LogText.Clean(stream);
        return PageAsync(stream, 0,
            $"SELECT {ChunkColumns} FROM (SELECT {ChunkColumns} FROM orch_log WHERE stream = @stream AND seq >= @n ORDER BY seq DESC LIMIT @limit) t ORDER BY seq",
            0, chunks, cancellationToken);
    }

    private async Task<LogPage> PageAsync(string stream, long fromSeq, string sql, long n, int limit, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        var chunksCommand = new NpgsqlBatchCommand(sql);
        chunksCommand.Parameters.AddWithValue("stream", stream);
        chunksCommand.Parameters.AddWithValue("n", n);
        chunksCommand.Parameters.AddWithValue("limit", limit);
        var streamCommand = new NpgsqlBatchCommand("SELECT bytes, truncated FROM orch_log_stream WHERE stream = @stream");
        streamCommand.Parameters.AddWithValue("stream", stream);
        batch.BatchCommands.Add(chunksCommand);
        batch.BatchCommands.Add(streamCommand);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var chunks = new List<LogChunk>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            chunks.Add(new LogChunk(stream, reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3)));
        }
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        LogStreamState? state = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new LogStreamState(reader.GetInt64(0), reader.GetBoolean(1)) : null;
        return LogAppendPlan.Page(chunks, fromSeq, state);
    }

    public async Task DropBeforeAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var partitions = new List<(string Name, DateOnly Day)>();
        await using (var list = dataSource.CreateCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'orch_log'::regclass"))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var name = reader.GetString(0);
                if (TryParsePartition(name, out var partitionDay) && partitionDay < day)
                {
                    partitions.Add((name, partitionDay));
                }
            }
        }
        foreach (var (name, partitionDay) in partitions)
        {
            _days.TryRemove(partitionDay, out _);
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Exec(connection, tx, $"ALTER TABLE orch_log DETACH PARTITION {name}", cancellationToken).ConfigureAwait(false);
                await Exec(connection, tx, $"DROP TABLE {name}", cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                Log.PartitionDropped(logger, name);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // Another process dropped it first.
            }
        }
        await using var forget = dataSource.CreateCommand("DELETE FROM orch_log_stream WHERE last_day < @day");
        forget.Parameters.AddWithValue("day", day);
        await forget.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> DeleteStreamsAsync(string streamPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamPrefix);
        streamPrefix = LogText.Clean(streamPrefix);
        var upper = LogStreamRange.UpperBound(streamPrefix);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Every stream with chunks has a row in orch_log_stream (an append creates it first; retention forgets it
        // only with its last day). Its "C"-collated index finds the streams by range; the chunks then go by
        // (stream, seq) in each day's partition. The rows are locked in the order appenders lock them.
        var streams = new List<string>();
        await using (var find = new NpgsqlCommand(
            "SELECT stream FROM orch_log_stream WHERE stream COLLATE \"C\" >= @lower" + (upper is null ? "" : " AND stream COLLATE \"C\" < @upper") +
            " ORDER BY stream COLLATE \"C\" FOR UPDATE", connection, tx))
        {
            find.Parameters.AddWithValue("lower", streamPrefix);
            if (upper is not null)
            {
                find.Parameters.AddWithValue("upper", upper);
            }
            await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                streams.Add(reader.GetString(0));
            }
        }
        if (streams.Count == 0)
        {
            return 0;
        }
        long deleted;
        await using (var chunks = new NpgsqlCommand("DELETE FROM orch_log WHERE stream = ANY(@streams)", connection, tx))
        {
            chunks.Parameters.AddWithValue("streams", streams.ToArray());
            deleted = await chunks.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var counters = new NpgsqlCommand("DELETE FROM orch_log_stream WHERE stream = ANY(@streams)", connection, tx))
        {
            counters.Parameters.AddWithValue("streams", streams.ToArray());
            await counters.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.StreamsDeleted(logger, streams.Count, deleted, streamPrefix);
        return deleted;
    }

    private async Task EnsurePartitionsAsync(List<DateOnly> days, CancellationToken cancellationToken)
    {
        foreach (var day in days)
        {
            if (_days.ContainsKey(day))
            {
                continue;
            }
            var name = PartitionName(day);
            var sql = string.Create(CultureInfo.InvariantCulture,
                $"CREATE TABLE IF NOT EXISTS {name} PARTITION OF orch_log FOR VALUES FROM ('{day:yyyy-MM-dd}') TO ('{day.AddDays(1):yyyy-MM-dd}')");
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await using var cmd = dataSource.CreateCommand(sql);
                    await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (PostgresException ex) when (attempt < 3 && ex.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.InvalidObjectDefinition)
                {
                    // Another process created it at the same moment (a duplicate name, or an overlap with its
                    // partition); once its transaction is visible, IF NOT EXISTS finds it.
                    Log.PartitionRace(logger, name, ex.SqlState);
                }
            }
            _days[day] = true;
        }
    }

    internal static string PartitionName(DateOnly day) => "orch_log_" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static bool TryParsePartition(string name, out DateOnly day) =>
        DateOnly.TryParseExact(name.StartsWith("orch_log_", StringComparison.Ordinal) ? name["orch_log_".Length..] : "", "yyyyMMdd",
            CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private static async Task Exec(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Dropped log partition {Partition}")]
        public static partial void PartitionDropped(ILogger logger, string partition);

        [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "Log partition {Partition} was being created by another process ({SqlState}); trying again")]
        public static partial void PartitionRace(ILogger logger, string partition, string sqlState);

        [LoggerMessage(EventId = 1012, Level = LogLevel.Debug, Message = "Deleted {Streams} log streams ({Chunks} chunks) under '{Prefix}'")]
        public static partial void StreamsDeleted(ILogger logger, int streams, long chunks, string prefix);
    }
}
