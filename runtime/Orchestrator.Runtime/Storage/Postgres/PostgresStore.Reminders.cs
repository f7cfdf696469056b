using Npgsql;
using NpgsqlTypes;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private const string ReminderColumns = "grain_type, grain_key, name, shard_id, kind, period_ms, anchor, cron, time_zone, misfire, next_due, last_due, version";

    // Advancing a reminder (version CAS, fenced by the shard epoch) and inserting its messages happen in one
    // statement; the messages' dedupe keys name the due time, so a due time fires once even if two silos race.
    private const string FireSql = """
        WITH x AS (SELECT * FROM unnest(@t, @k, @name, @ver, @sh, @ep, @next, @last) AS x(t, k, name, ver, sh, ep, next, last)),
        adv AS (UPDATE orch_reminder r SET next_due = x.next, last_due = x.last, version = r.version + 1
                FROM x JOIN orch_shard_lease l ON l.shard_id = x.sh AND l.epoch = x.ep AND l.owner_silo = @me
                WHERE r.grain_type = x.t AND r.grain_key = x.k AND r.name = x.name AND r.version = x.ver
                RETURNING r.grain_type AS t, r.grain_key AS k, r.name AS name),
        mb AS (SELECT DISTINCT ON (m.type, m.key, m.dedupe) m.*
                FROM unnest(@m_name, @o_shard, @o_type, @o_key, @o_dedupe, @o_payload, @o_visible) AS m(name, shard, type, key, dedupe, payload, visible)
                JOIN adv ON adv.t = m.type AND adv.k = m.key AND adv.name = m.name),
        md AS (INSERT INTO orch_dedupe (grain_type, grain_key, dedupe_key) SELECT type, key, dedupe FROM mb ON CONFLICT DO NOTHING
                RETURNING grain_type, grain_key, dedupe_key),
        msgs AS (INSERT INTO orch_inbox (shard_id, grain_type, grain_key, dedupe_key, payload, visible_at)
                SELECT mb.shard, mb.type, mb.key, mb.dedupe, mb.payload, mb.visible
                FROM mb JOIN md ON md.grain_type = mb.type AND md.grain_key = mb.key AND md.dedupe_key = mb.dedupe RETURNING 1)
        SELECT count(*) FROM adv
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

    public async Task<int> FireRemindersAsync(string siloId, IReadOnlyList<ReminderFire> fires, CancellationToken cancellationToken)
    {
        if (fires.Count == 0)
        {
            return 0;
        }
        await using var batch = _dataSource.CreateBatch();
        var fire = new NpgsqlBatchCommand(FireSql);
        var p = fire.Parameters;
        p.AddWithValue("me", siloId);
        p.AddWithValue("t", fires.Select(f => f.Reminder.Grain.Type).ToArray());
        p.AddWithValue("k", fires.Select(f => f.Reminder.Grain.Key).ToArray());
        p.AddWithValue("name", fires.Select(f => f.Reminder.Name).ToArray());
        p.AddWithValue("ver", fires.Select(f => f.Reminder.Version).ToArray());
        p.AddWithValue("sh", fires.Select(f => f.Reminder.Shard).ToArray());
        p.AddWithValue("ep", fires.Select(f => f.Epoch).ToArray());
        p.AddWithValue("next", fires.Select(f => f.NextDue.ToUniversalTime()).ToArray());
        p.AddWithValue("last", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, fires.Select(f => (object?)f.LastDue?.ToUniversalTime() ?? DBNull.Value).ToArray());
        var messages = fires.SelectMany(f => f.Messages.Select(m => (f.Reminder.Name, Message: m))).ToList();
        p.AddWithValue("m_name", messages.Select(m => m.Name).ToArray());
        AddMessageArrays(p, messages.Select(m => m.Message).ToList(), "o_");
        batch.BatchCommands.Add(fire);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Notify(_channel)));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (int)reader.GetInt64(0);
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
