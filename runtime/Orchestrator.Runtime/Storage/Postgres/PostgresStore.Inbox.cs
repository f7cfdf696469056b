using System.Text;
using Npgsql;
using NpgsqlTypes;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Messaging;

namespace Orchestrator.Runtime.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private const string InsertDedupeSql =
        "INSERT INTO orch_dedupe (grain_type, grain_key, dedupe_key) SELECT * FROM unnest(@t, @k, @d) ON CONFLICT DO NOTHING RETURNING grain_type, grain_key, dedupe_key";

    private const string InsertMessagesSql =
        "INSERT INTO orch_inbox (shard_id, grain_type, grain_key, dedupe_key, payload, visible_at) SELECT * FROM unnest(@shard, @type, @key, @dedupe, @payload, @visible) RETURNING msg_id";

    public async Task<GrainStateRecord?> ReadGrainAsync(GrainId grain, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand("SELECT version, epoch, state FROM orch_grain_state WHERE grain_type = @t AND grain_key = @k");
        cmd.Parameters.AddWithValue("t", grain.Type);
        cmd.Parameters.AddWithValue("k", grain.Key);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new GrainStateRecord(grain, reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : (byte[])reader[2]);
    }

    public async Task<IReadOnlyDictionary<GrainId, GrainStateRecord>> ReadGrainsAsync(IReadOnlyCollection<GrainId> grains, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            "SELECT g.grain_type, g.grain_key, g.version, g.epoch, g.state FROM orch_grain_state g JOIN unnest(@t, @k) AS u(t, k) ON g.grain_type = u.t AND g.grain_key = u.k");
        cmd.Parameters.AddWithValue("t", grains.Select(g => g.Type).ToArray());
        cmd.Parameters.AddWithValue("k", grains.Select(g => g.Key).ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var states = new Dictionary<GrainId, GrainStateRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = new GrainId(reader.GetString(0), reader.GetString(1));
            states[id] = new GrainStateRecord(id, reader.GetInt64(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : (byte[])reader[4]);
        }
        return states;
    }

    public async Task EnqueueAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await InsertMessagesAsync(connection, tx, messages, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Stores the messages whose dedupe key is new for their grain (a key repeated within the batch counts once),
    /// inside the caller's transaction, and sends the wake-up notification (delivered at commit). Two plain
    /// statements: the dedupe insert says which keys were new, and only those messages go to the inbox (joining
    /// the two inserts inside one statement made the planner nest loops over them).
    /// </summary>
    /// <returns>The lowest id given to a stored message, or 0 if none was stored.</returns>
    private async Task<long> InsertMessagesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return 0;
        }
        var fresh = new HashSet<(string, string, string)>();
        await using (var dedupe = new NpgsqlCommand(InsertDedupeSql, connection, tx))
        {
            dedupe.Parameters.AddWithValue("t", messages.Select(m => m.Target.Type).ToArray());
            dedupe.Parameters.AddWithValue("k", messages.Select(m => m.Target.Key).ToArray());
            dedupe.Parameters.AddWithValue("d", messages.Select(m => m.DedupeKey).ToArray());
            await using var reader = await dedupe.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                fresh.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        var stored = messages.Where(m => fresh.Remove((m.Target.Type, m.Target.Key, m.DedupeKey))).ToList();
        if (stored.Count == 0)
        {
            return 0;
        }
        await using var batch = new NpgsqlBatch(connection, tx);
        var insert = new NpgsqlBatchCommand(InsertMessagesSql);
        AddMessageArrays(insert.Parameters, stored);
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Notify(_channel)));
        var first = long.MaxValue;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                first = Math.Min(first, reader.GetInt64(0));
            }
        }
        return first;
    }

    private static void AddMessageArrays(NpgsqlParameterCollection parameters, IReadOnlyList<OutgoingMessage> messages, string prefix = "")
    {
        parameters.AddWithValue(prefix + "shard", messages.Select(m => m.Shard).ToArray());
        parameters.AddWithValue(prefix + "type", messages.Select(m => m.Target.Type).ToArray());
        parameters.AddWithValue(prefix + "key", messages.Select(m => m.Target.Key).ToArray());
        parameters.AddWithValue(prefix + "dedupe", messages.Select(m => m.DedupeKey).ToArray());
        parameters.AddWithValue(prefix + "payload", NpgsqlDbType.Array | NpgsqlDbType.Bytea, messages.Select(m => m.Payload).ToArray());
        parameters.AddWithValue(prefix + "visible", messages.Select(m => m.VisibleAt.ToUniversalTime()).ToArray());
    }

    public async Task<IReadOnlyList<InboxMessage>> FetchAsync(IReadOnlyCollection<int> shards, long afterId, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        if (shards.Count == 0)
        {
            return [];
        }
        await using var cmd = _dataSource.CreateCommand(
            "SELECT msg_id, shard_id, grain_type, grain_key, dedupe_key, payload, attempts FROM orch_inbox " +
            "WHERE status = 0 AND msg_id > @after AND shard_id = ANY(@shards) AND visible_at <= @now ORDER BY msg_id LIMIT @limit");
        cmd.Parameters.AddWithValue("after", afterId);
        cmd.Parameters.AddWithValue("shards", shards.ToArray());
        cmd.Parameters.AddWithValue("now", now.ToUniversalTime());
        cmd.Parameters.AddWithValue("limit", limit);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var messages = new List<InboxMessage>();
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new InboxMessage(reader.GetInt64(0), reader.GetInt32(1), new GrainId(reader.GetString(2), reader.GetString(3)),
                reader.GetString(4), (byte[])reader[5], reader.GetInt32(6)));
        }
        return messages;
    }

    public async Task RecordFailureAsync(MessageFailure failure, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            "UPDATE orch_inbox SET attempts = @attempts, visible_at = @visible, error = @error, status = @status WHERE msg_id = @id AND status = 0");
        cmd.Parameters.AddWithValue("id", failure.MessageId);
        cmd.Parameters.AddWithValue("attempts", failure.Attempts);
        cmd.Parameters.AddWithValue("visible", failure.VisibleAt.ToUniversalTime());
        cmd.Parameters.AddWithValue("error", failure.Error);
        cmd.Parameters.AddWithValue("status", (short)(failure.Dead ? 2 : 0));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private const string DeadLetterColumns = "msg_id, grain_type, grain_key, dedupe_key, attempts, coalesce(error, ''), payload, enqueued_at, visible_at";

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken) =>
        ReadDeadLettersAsync($"SELECT {DeadLetterColumns} FROM orch_inbox WHERE status = 2 ORDER BY msg_id LIMIT @limit", null, limit, cancellationToken);

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string keyPrefix, int limit, CancellationToken cancellationToken) =>
        keyPrefix.Contains('\0', StringComparison.Ordinal)
            ? Task.FromResult<IReadOnlyList<DeadLetter>>([]) // no key holds one, and PostgreSQL text cannot carry it
            : ReadDeadLettersAsync($"SELECT {DeadLetterColumns} FROM orch_inbox WHERE status = 2 AND starts_with(grain_key, @prefix) ORDER BY msg_id LIMIT @limit",
                keyPrefix, limit, cancellationToken);

    private async Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(string sql, string? keyPrefix, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("limit", limit);
        if (keyPrefix is not null)
        {
            cmd.Parameters.AddWithValue("prefix", keyPrefix);
        }
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(new DeadLetter(reader.GetInt64(0), new GrainId(reader.GetString(1), reader.GetString(2)), reader.GetString(3),
                reader.GetInt32(4), reader.GetString(5), Encoding.UTF8.GetString((byte[])reader[6]), reader.GetFieldValue<DateTimeOffset>(7))
            {
                ParkedAt = reader.GetFieldValue<DateTimeOffset>(8),
            });
        }
        return letters;
    }

    public async Task<bool> ReplayDeadLetterAsync(long messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Delete and re-insert in one transaction, under a new id.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using var take = new NpgsqlCommand(
            "DELETE FROM orch_inbox WHERE msg_id = @id AND status = 2 RETURNING shard_id, grain_type, grain_key, dedupe_key, payload, enqueued_at", connection, tx);
        take.Parameters.AddWithValue("id", messageId);
        object[]? row = null;
        await using (var reader = await take.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                row = new object[6];
                reader.GetValues(row);
            }
        }
        if (row is null)
        {
            return false;
        }
        await using var put = new NpgsqlCommand(
            "INSERT INTO orch_inbox (shard_id, grain_type, grain_key, dedupe_key, payload, enqueued_at, visible_at) VALUES (@s, @t, @k, @d, @p, @e, @now)", connection, tx);
        put.Parameters.AddWithValue("s", row[0]);
        put.Parameters.AddWithValue("t", row[1]);
        put.Parameters.AddWithValue("k", row[2]);
        put.Parameters.AddWithValue("d", row[3]);
        put.Parameters.AddWithValue("p", row[4]);
        put.Parameters.AddWithValue("e", row[5]);
        put.Parameters.AddWithValue("now", now.ToUniversalTime());
        await put.ExecuteNonQueryAsync(cancellationToken);
        await Exec(connection, tx, Notify(_channel), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<int> PurgeDedupeKeysAsync(TimeSpan retention, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            "DELETE FROM orch_dedupe WHERE ctid = ANY(ARRAY(SELECT ctid FROM orch_dedupe WHERE created_at < now() - @retention LIMIT @limit))");
        cmd.Parameters.AddWithValue("retention", retention);
        cmd.Parameters.AddWithValue("limit", limit);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<long> CountPendingAsync(IReadOnlyCollection<int> shards, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand("SELECT count(*) FROM orch_inbox WHERE status = 0 AND shard_id = ANY(@shards)");
        cmd.Parameters.AddWithValue("shards", shards.ToArray());
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }
}
