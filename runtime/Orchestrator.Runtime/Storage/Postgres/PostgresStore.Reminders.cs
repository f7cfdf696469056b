using Npgsql;
using NpgsqlTypes;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private const string ReminderColumns = "grain_type, grain_key, name, shard_id, kind, period_ms, anchor, cron, time_zone, misfire, next_due, last_due, version";

    // Advancing a reminder is a version check fenced by the shard epoch; only the firings that advanced store their
    // messages, in the same transaction. The messages' dedupe keys name the due time: a due time fires once.
    private const string AdvanceSql = """
        UPDATE orch_reminder r SET next_due = x.next, last_due = x.last, version = r.version + 1
        FROM unnest(@t, @k, @name, @ver, @sh, @ep, @next, @last) WITH ORDINALITY AS x(t, k, name, ver, sh, ep, next, last, i)
        JOIN orch_shard_lease l ON l.shard_id = x.sh AND l.epoch = x.ep AND l.owner_silo = @me
        WHERE r.grain_type = x.t AND r.grain_key = x.k AND r.name = x.name AND r.version = x.ver
        RETURNING x.i
        """;

    public async Task<IReadOnlyList<StoredReminder>> FetchDueRemindersAsync(IReadOnlyCollection<int> shards, DateTimeOffset until, int limit, CancellationToken cancellationToken)
    {
        if (shards.Count == 0)
        {
            return [];
        }
        await using var cmd = _dataSource.CreateCommand(
            $"SELECT {ReminderColumns} FROM orch_reminder WHERE shard_id = ANY(@shards) AND next_due <= @until ORDER BY next_due LIMIT @limit");
        cmd.Parameters.AddWithValue("shards", shards.ToArray());
        cmd.Parameters.AddWithValue("until", until.ToUniversalTime());
        cmd.Parameters.AddWithValue("limit", limit);
        return await ReadReminders(cmd, cancellationToken);
    }

    public async Task<IReadOnlyList<StoredReminder>> ListRemindersAsync(GrainId grain, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand($"SELECT {ReminderColumns} FROM orch_reminder WHERE grain_type = @t AND grain_key = @k ORDER BY name");
        cmd.Parameters.AddWithValue("t", grain.Type);
        cmd.Parameters.AddWithValue("k", grain.Key);
        return await ReadReminders(cmd, cancellationToken);
    }

    public async Task<(int Fired, long FirstMessageId)> FireRemindersAsync(string siloId, IReadOnlyList<ReminderFire> fires, CancellationToken cancellationToken)
    {
        if (fires.Count == 0)
        {
            return (0, 0);
        }
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var advanced = new List<ReminderFire>(fires.Count);
        await using (var advance = new NpgsqlCommand(AdvanceSql, connection, tx))
        {
            var p = advance.Parameters;
            p.AddWithValue("me", siloId);
            p.AddWithValue("t", fires.Select(f => f.Reminder.Grain.Type).ToArray());
            p.AddWithValue("k", fires.Select(f => f.Reminder.Grain.Key).ToArray());
            p.AddWithValue("name", fires.Select(f => f.Reminder.Name).ToArray());
            p.AddWithValue("ver", fires.Select(f => f.Reminder.Version).ToArray());
            p.AddWithValue("sh", fires.Select(f => f.Reminder.Shard).ToArray());
            p.AddWithValue("ep", fires.Select(f => f.Epoch).ToArray());
            p.AddWithValue("next", fires.Select(f => f.NextDue.ToUniversalTime()).ToArray());
            p.AddWithValue("last", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, fires.Select(f => (object?)f.LastDue?.ToUniversalTime() ?? DBNull.Value).ToArray());
            await using var reader = await advance.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                advanced.Add(fires[(int)reader.GetInt64(0) - 1]);
            }
        }
        var first = await InsertMessagesAsync(connection, tx, [.. advanced.SelectMany(f => f.Messages)], cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (advanced.Count, first);
    }

    private static async Task<IReadOnlyList<StoredReminder>> ReadReminders(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var reminders = new List<StoredReminder>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var schedule = ScheduleColumns.To(reader.GetInt16(4), reader.GetInt64(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetString(7), reader.GetString(8));
            reminders.Add(new StoredReminder(new GrainId(reader.GetString(0), reader.GetString(1)), reader.GetString(2), reader.GetInt32(3), schedule,
                (MisfirePolicy)reader.GetInt16(9), reader.GetFieldValue<DateTimeOffset>(10),
                reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11), reader.GetInt64(12)));
        }
        return reminders;
    }
}
