using Microsoft.Data.Sqlite;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const string ReminderColumns = "grain_type, grain_key, name, shard_id, kind, period_ms, anchor, cron, time_zone, misfire, next_due, last_due, version";

    public Task<IReadOnlyList<StoredReminder>> FetchDueRemindersAsync(IReadOnlyCollection<int> shards, DateTimeOffset until, int limit, CancellationToken cancellationToken) =>
        ReadAsync(c =>
        {
            using var cmd = Command(c, null,
                $"SELECT {ReminderColumns} FROM orch_reminder WHERE shard_id IN (SELECT value FROM json_each(@shards)) AND next_due <= @until ORDER BY next_due LIMIT @limit",
                ("shards", Json(shards)), ("until", Ms(until)), ("limit", limit));
            return ReadReminders(cmd);
        }, cancellationToken);

    public Task<IReadOnlyList<StoredReminder>> ListRemindersAsync(GrainId grain, CancellationToken cancellationToken) => ReadAsync(c =>
    {
        using var cmd = Command(c, null, $"SELECT {ReminderColumns} FROM orch_reminder WHERE grain_type = @t AND grain_key = @k ORDER BY name", ("t", grain.Type), ("k", grain.Key));
        return ReadReminders(cmd);
    }, cancellationToken);

    public async Task<(int Fired, long FirstMessageId)> FireRemindersAsync(string siloId, IReadOnlyList<ReminderFire> fires, CancellationToken cancellationToken)
    {
        var fired = await WriteAsync((c, tx) =>
        {
            var count = 0;
            var before = (long)Scalar(c, tx, "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'orch_inbox'")!;
            foreach (var fire in fires)
            {
                var r = fire.Reminder;
                var owned = (long)Scalar(c, tx, "SELECT count(*) FROM orch_shard_lease WHERE shard_id = @s AND epoch = @e AND owner_silo = @me",
                    ("s", r.Shard), ("e", fire.Epoch), ("me", siloId))! == 1;
                if (!owned)
                {
                    continue;
                }
                var advanced = Exec(c, tx,
                    "UPDATE orch_reminder SET next_due = @next, last_due = @last, version = version + 1 WHERE grain_type = @t AND grain_key = @k AND name = @n AND version = @v",
                    ("next", Ms(fire.NextDue)), ("last", fire.LastDue is { } l ? Ms(l) : null), ("t", r.Grain.Type), ("k", r.Grain.Key), ("n", r.Name), ("v", r.Version));
                if (advanced == 1)
                {
                    InsertMessages(c, tx, fire.Messages);
                    count++;
                }
            }
            var after = (long)Scalar(c, tx, "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'orch_inbox'")!;
            return (count, after > before ? before + 1 : 0);
        }, cancellationToken).ConfigureAwait(false);
        if (fired.Item1 > 0)
        {
            Notify();
        }
        return fired;
    }

    private static IReadOnlyList<StoredReminder> ReadReminders(SqliteCommand cmd)
    {
        using var reader = cmd.ExecuteReader();
        var reminders = new List<StoredReminder>();
        while (reader.Read())
        {
            var schedule = ScheduleColumns.To(reader.GetInt16(4), reader.GetInt64(5), At(reader.GetInt64(6)), reader.GetString(7), reader.GetString(8));
            reminders.Add(new StoredReminder(new GrainId(reader.GetString(0), reader.GetString(1)), reader.GetString(2), reader.GetInt32(3), schedule,
                (MisfirePolicy)reader.GetInt16(9), At(reader.GetInt64(10)), reader.IsDBNull(11) ? null : At(reader.GetInt64(11)), reader.GetInt64(12)));
        }
        return reminders;
    }
}
