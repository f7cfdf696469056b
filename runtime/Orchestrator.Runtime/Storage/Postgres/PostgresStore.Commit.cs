using Npgsql;
using NpgsqlTypes;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Storage.Postgres;

internal sealed partial class PostgresStore
{
    // One statement commits a whole batch of turns. Fence first (shard, epoch, owner), then a version check on the
    // statement's snapshot, then consume each turn's message; only turns whose message this statement consumed (or
    // that consumed none) write state, outbox and reminders. A duplicate delivery therefore simply comes back as
    // "not consumed" and changes nothing. If a state write still loses a race after its message was consumed
    // (a concurrent writer the snapshot did not see), the caller rolls back and retries turn by turn.
    private const string CommitSql = """
        WITH u AS (SELECT * FROM unnest(@t, @k, @v, @n, @st, @sh, @ep, @m) AS u(t, k, v, n, st, sh, ep, m)),
        f AS (SELECT u.* FROM u JOIN orch_shard_lease l ON l.shard_id = u.sh AND l.epoch = u.ep AND l.owner_silo = @me),
        cand AS (SELECT f.* FROM f LEFT JOIN orch_grain_state g ON g.grain_type = f.t AND g.grain_key = f.k
                 WHERE (f.v = 0 AND g.grain_type IS NULL) OR g.version = f.v),
        con AS (DELETE FROM orch_inbox i USING unnest(@c_t, @c_k, @c_msg) AS x(t, k, msg) JOIN cand c ON c.t = x.t AND c.k = x.k
                WHERE i.msg_id = x.msg AND i.status = 0 RETURNING i.msg_id, x.t, x.k),
        taken AS (SELECT t, k, count(*) AS taken FROM con GROUP BY t, k),
        go AS (SELECT c.* FROM cand c LEFT JOIN taken ON taken.t = c.t AND taken.k = c.k WHERE coalesce(taken.taken, 0) = c.m),
        upd AS (UPDATE orch_grain_state g SET version = g.version + go.n, state = go.st, epoch = go.ep, updated_at = now()
                FROM go WHERE go.v > 0 AND g.grain_type = go.t AND g.grain_key = go.k AND g.version = go.v
                RETURNING g.grain_type AS t, g.grain_key AS k),
        ins AS (INSERT INTO orch_grain_state (grain_type, grain_key, shard_id, version, epoch, state, updated_at)
                SELECT go.t, go.k, go.sh, go.n, go.ep, go.st, now() FROM go WHERE go.v = 0
                ON CONFLICT DO NOTHING RETURNING grain_type AS t, grain_key AS k),
        ok AS (SELECT t, k FROM upd UNION ALL SELECT t, k FROM ins),
        ob AS (SELECT DISTINCT ON (o.type, o.key, o.dedupe) o.*
                FROM unnest(@o_ot, @o_ok, @o_shard, @o_type, @o_key, @o_dedupe, @o_payload, @o_visible)
                     AS o(ot, ok, shard, type, key, dedupe, payload, visible)
                JOIN ok ON ok.t = o.ot AND ok.k = o.ok),
        obd AS (INSERT INTO orch_dedupe (grain_type, grain_key, dedupe_key) SELECT type, key, dedupe FROM ob ON CONFLICT DO NOTHING
                RETURNING grain_type, grain_key, dedupe_key),
        outbox AS (INSERT INTO orch_inbox (shard_id, grain_type, grain_key, dedupe_key, payload, visible_at)
                SELECT ob.shard, ob.type, ob.key, ob.dedupe, ob.payload, ob.visible
                FROM ob JOIN obd ON obd.grain_type = ob.type AND obd.grain_key = ob.key AND obd.dedupe_key = ob.dedupe RETURNING 1),
        rem AS (INSERT INTO orch_reminder (grain_type, grain_key, name, shard_id, kind, period_ms, anchor, cron, time_zone, misfire, next_due, last_due, version)
                SELECT r.t, r.k, r.name, r.shard, r.kind, r.period, r.anchor, r.cron, r.tz, r.misfire, r.next, NULL, 1
                FROM unnest(@r_t, @r_k, @r_name, @r_shard, @r_kind, @r_period, @r_anchor, @r_cron, @r_tz, @r_misfire, @r_next)
                     AS r(t, k, name, shard, kind, period, anchor, cron, tz, misfire, next)
                JOIN ok ON ok.t = r.t AND ok.k = r.k
                ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET shard_id = excluded.shard_id, kind = excluded.kind,
                    period_ms = excluded.period_ms, anchor = excluded.anchor, cron = excluded.cron, time_zone = excluded.time_zone,
                    misfire = excluded.misfire, next_due = excluded.next_due, version = orch_reminder.version + 1
                RETURNING 1),
        remdel AS (DELETE FROM orch_reminder d USING unnest(@d_t, @d_k, @d_name) AS x(t, k, name)
                JOIN ok ON ok.t = x.t AND ok.k = x.k
                WHERE d.grain_type = x.t AND d.grain_key = x.k AND d.name = x.name RETURNING 1)
        SELECT 0, t, k, 0::bigint FROM ok UNION ALL SELECT 1, NULL, NULL, msg_id FROM con
        UNION ALL SELECT 2, t, k, 0::bigint FROM cand
        """;

    public async Task<IReadOnlyList<CommitOutcome>> CommitAsync(string siloId, IReadOnlyList<TurnCommit> turns, CancellationToken cancellationToken)
    {
        if (turns.Count == 0)
        {
            return [];
        }
        var outcomes = await TryCommit(siloId, turns, cancellationToken);
        if (outcomes is not null)
        {
            return outcomes;
        }
        // A state write lost a race with a writer the statement's snapshot did not see: commit turn by turn.
        var single = new CommitOutcome[turns.Count];
        for (var i = 0; i < turns.Count; i++)
        {
            single[i] = (await TryCommit(siloId, [turns[i]], cancellationToken))?[0] ?? CommitOutcome.VersionConflict;
        }
        return single;
    }

    /// <returns>The outcomes, or null when the batch was rolled back because a state write lost a race.</returns>
    private async Task<CommitOutcome[]?> TryCommit(string siloId, IReadOnlyList<TurnCommit> turns, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, tx);
        var commit = new NpgsqlBatchCommand(CommitSql);
        AddCommitParameters(commit.Parameters, siloId, turns);
        batch.BatchCommands.Add(commit);
        if (turns.Any(t => t.Outbox.Count > 0))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(Notify(_channel)));
        }
        var committed = new HashSet<(string, string)>();
        var candidates = new HashSet<(string, string)>();
        var consumed = new HashSet<long>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                switch (reader.GetInt32(0))
                {
                    case 0:
                        committed.Add((reader.GetString(1), reader.GetString(2)));
                        break;
                    case 1:
                        consumed.Add(reader.GetInt64(3));
                        break;
                    default:
                        candidates.Add((reader.GetString(1), reader.GetString(2)));
                        break;
                }
            }
        }
        var outcomes = new CommitOutcome[turns.Count];
        List<int>? notCandidates = null;
        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            var key = (turn.Grain.Type, turn.Grain.Key);
            var taken = turn.ConsumedMessageIds.Count(consumed.Contains);
            if (committed.Contains(key))
            {
                outcomes[i] = CommitOutcome.Committed;
            }
            else if (!candidates.Contains(key))
            {
                (notCandidates ??= []).Add(i);
            }
            else if (taken == 0 && turn.ConsumedMessageIds.Count > 0)
            {
                outcomes[i] = CommitOutcome.AlreadyConsumed;
            }
            else
            {
                // Some of its messages consumed here but the turn cannot commit (others were applied already, or the
                // state write lost a race): undo everything; a batch goes again turn by turn.
                await tx.RollbackAsync(cancellationToken);
                return turns.Count > 1 ? null : [taken < turn.ConsumedMessageIds.Count ? CommitOutcome.AlreadyConsumed : CommitOutcome.VersionConflict];
            }
        }
        if (notCandidates is not null)
        {
            var held = await HeldShards(connection, tx, siloId, cancellationToken);
            foreach (var i in notCandidates)
            {
                outcomes[i] = held.Contains(new ShardLease(turns[i].Shard, turns[i].Epoch)) ? CommitOutcome.VersionConflict : CommitOutcome.Fenced;
            }
        }
        await tx.CommitAsync(cancellationToken);
        return outcomes;
    }

    private static async Task<HashSet<ShardLease>> HeldShards(NpgsqlConnection connection, NpgsqlTransaction tx, string siloId, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT shard_id, epoch FROM orch_shard_lease WHERE owner_silo = @me", connection, tx);
        cmd.Parameters.AddWithValue("me", siloId);
        return [.. await ReadLeases(cmd, cancellationToken)];
    }

    private static void AddCommitParameters(NpgsqlParameterCollection p, string siloId, IReadOnlyList<TurnCommit> turns)
    {
        p.AddWithValue("me", siloId);
        p.AddWithValue("t", turns.Select(t => t.Grain.Type).ToArray());
        p.AddWithValue("k", turns.Select(t => t.Grain.Key).ToArray());
        p.AddWithValue("v", turns.Select(t => t.ExpectedVersion).ToArray());
        p.AddWithValue("n", turns.Select(t => (long)t.Turns).ToArray());
        p.AddWithValue("st", NpgsqlDbType.Array | NpgsqlDbType.Bytea, turns.Select(t => t.State).ToArray());
        p.AddWithValue("sh", turns.Select(t => t.Shard).ToArray());
        p.AddWithValue("ep", turns.Select(t => t.Epoch).ToArray());
        p.AddWithValue("m", turns.Select(t => (long)t.ConsumedMessageIds.Count).ToArray());
        var consumed = turns.SelectMany(t => t.ConsumedMessageIds.Select(id => (t.Grain, Id: id))).ToList();
        p.AddWithValue("c_t", consumed.Select(c => c.Grain.Type).ToArray());
        p.AddWithValue("c_k", consumed.Select(c => c.Grain.Key).ToArray());
        p.AddWithValue("c_msg", consumed.Select(c => c.Id).ToArray());

        var outbox = turns.SelectMany(t => t.Outbox.Select(m => (Owner: t.Grain, Message: m))).ToList();
        p.AddWithValue("o_ot", outbox.Select(o => o.Owner.Type).ToArray());
        p.AddWithValue("o_ok", outbox.Select(o => o.Owner.Key).ToArray());
        AddMessageArrays(p, outbox.Select(o => o.Message).ToList(), "o_");

        var upserts = turns.SelectMany(t => t.Reminders).Where(r => r.Upsert is not null).Select(r => r.Upsert!).ToList();
        var columns = upserts.Select(r => ScheduleColumns.From(r.Schedule)).ToList();
        p.AddWithValue("r_t", upserts.Select(r => r.Grain.Type).ToArray());
        p.AddWithValue("r_k", upserts.Select(r => r.Grain.Key).ToArray());
        p.AddWithValue("r_name", upserts.Select(r => r.Name).ToArray());
        p.AddWithValue("r_shard", upserts.Select(r => r.Shard).ToArray());
        p.AddWithValue("r_kind", columns.Select(c => c.Kind).ToArray());
        p.AddWithValue("r_period", columns.Select(c => c.PeriodMs).ToArray());
        p.AddWithValue("r_anchor", columns.Select(c => c.Anchor).ToArray());
        p.AddWithValue("r_cron", columns.Select(c => c.Cron).ToArray());
        p.AddWithValue("r_tz", columns.Select(c => c.TimeZone).ToArray());
        p.AddWithValue("r_misfire", upserts.Select(r => (short)r.Misfire).ToArray());
        p.AddWithValue("r_next", upserts.Select(r => r.NextDue.ToUniversalTime()).ToArray());

        var deletes = turns.SelectMany(t => t.Reminders.Where(r => r.Upsert is null).Select(r => (t.Grain, r.Name))).ToList();
        p.AddWithValue("d_t", deletes.Select(d => d.Grain.Type).ToArray());
        p.AddWithValue("d_k", deletes.Select(d => d.Grain.Key).ToArray());
        p.AddWithValue("d_name", deletes.Select(d => d.Name).ToArray());
    }
}
