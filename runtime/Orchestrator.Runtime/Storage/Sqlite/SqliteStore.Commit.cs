using Microsoft.Data.Sqlite;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    /// <summary>All turns in one transaction, each inside its own savepoint so a failing turn leaves the others.</summary>
    public async Task<IReadOnlyList<CommitOutcome>> CommitAsync(string siloId, IReadOnlyList<TurnCommit> turns, CancellationToken cancellationToken)
    {
        var notify = false;
        var outcomes = await WriteAsync((c, tx) =>
        {
            var result = new CommitOutcome[turns.Count];
            for (var i = 0; i < turns.Count; i++)
            {
                var turn = turns[i];
                var savepoint = $"t{i}";
                tx.Save(savepoint);
                result[i] = CommitOne(c, tx, siloId, turn);
                if (result[i] == CommitOutcome.Committed)
                {
                    tx.Release(savepoint);
                    notify |= turn.Outbox.Count > 0;
                }
                else
                {
                    tx.Rollback(savepoint);
                    tx.Release(savepoint);
                }
            }
            return result;
        }, cancellationToken).ConfigureAwait(false);
        if (notify)
        {
            Notify();
        }
        return outcomes;
    }

    private static CommitOutcome CommitOne(SqliteConnection c, SqliteTransaction tx, string siloId, TurnCommit turn)
    {
        var fenced = (long)Scalar(c, tx, "SELECT count(*) FROM orch_shard_lease WHERE shard_id = @s AND epoch = @e AND owner_silo = @me",
            ("s", turn.Shard), ("e", turn.Epoch), ("me", siloId))! == 0;
        if (fenced)
        {
            return CommitOutcome.Fenced;
        }
        var now = Now();
        var written = turn.ExpectedVersion > 0
            ? Exec(c, tx, "UPDATE orch_grain_state SET version = version + @n, state = @st, epoch = @e, updated_at = @now WHERE grain_type = @t AND grain_key = @k AND version = @v",
                ("n", turn.Turns), ("st", turn.State), ("e", turn.Epoch), ("now", now), ("t", turn.Grain.Type), ("k", turn.Grain.Key), ("v", turn.ExpectedVersion))
            : Exec(c, tx, "INSERT INTO orch_grain_state (grain_type, grain_key, shard_id, version, epoch, state, updated_at) VALUES (@t, @k, @s, @n, @e, @st, @now) ON CONFLICT DO NOTHING",
                ("t", turn.Grain.Type), ("k", turn.Grain.Key), ("s", turn.Shard), ("n", turn.Turns), ("e", turn.Epoch), ("st", turn.State), ("now", now));
        if (written != 1)
        {
            return CommitOutcome.VersionConflict;
        }
        foreach (var id in turn.ConsumedMessageIds)
        {
            if (Exec(c, tx, "DELETE FROM orch_inbox WHERE msg_id = @id AND status = 0", ("id", id)) != 1)
            {
                return CommitOutcome.AlreadyConsumed;
            }
        }
        InsertMessages(c, tx, turn.Outbox);
        foreach (var write in turn.Reminders)
        {
            if (write.Upsert is { } r)
            {
                var (kind, period, anchor, cron, zone) = ScheduleColumns.From(r.Schedule);
                Exec(c, tx,
                    "INSERT INTO orch_reminder (grain_type, grain_key, name, shard_id, kind, period_ms, anchor, cron, time_zone, misfire, next_due, last_due, version) " +
                    "VALUES (@t, @k, @n, @s, @kind, @p, @a, @c, @z, @m, @next, NULL, 1) ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET " +
                    "shard_id = excluded.shard_id, kind = excluded.kind, period_ms = excluded.period_ms, anchor = excluded.anchor, cron = excluded.cron, " +
                    "time_zone = excluded.time_zone, misfire = excluded.misfire, next_due = excluded.next_due, version = orch_reminder.version + 1",
                    ("t", r.Grain.Type), ("k", r.Grain.Key), ("n", r.Name), ("s", r.Shard), ("kind", kind), ("p", period), ("a", Ms(anchor)), ("c", cron), ("z", zone),
                    ("m", (short)r.Misfire), ("next", Ms(r.NextDue)));
            }
            else
            {
                Exec(c, tx, "DELETE FROM orch_reminder WHERE grain_type = @t AND grain_key = @k AND name = @n", ("t", turn.Grain.Type), ("k", turn.Grain.Key), ("n", write.Name));
            }
        }
        SqliteIndexStore.Write(c, tx, turn.Indexes, now);
        return CommitOutcome.Committed;
    }
}
