using Npgsql;
using NpgsqlTypes;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Storage.Postgres;

internal sealed partial class PostgresStore
{
    // A batch of turns commits in one transaction of three statements, each joining only real, indexed tables (CTE
    // outputs joined to each other get no statistics, and their nested loops cost O(n²) at a thousand turns):
    //   1. candidates: turns whose shard epoch we hold and whose grain is at the expected version (this snapshot);
    //   2. consume: delete the candidates' messages (a message already applied is simply not returned);
    //   3. write: state and reminders of the turns whose messages were all taken here, then their outbox and index
    //      rows (one statement each, over arrays; a 100,000-row index write is one upsert).
    // A candidate whose messages were only partly taken, or whose state write loses a race with a writer the
    // snapshot did not see, rolls the batch back; the caller then commits turn by turn.
    private const string CandidatesSql = """
        SELECT u.i FROM unnest(@t, @k, @v, @sh, @ep) WITH ORDINALITY AS u(t, k, v, sh, ep, i)
        JOIN orch_shard_lease l ON l.shard_id = u.sh AND l.epoch = u.ep AND l.owner_silo = @me
        LEFT JOIN orch_grain_state g ON g.grain_type = u.t AND g.grain_key = u.k
        WHERE (u.v = 0 AND g.grain_type IS NULL) OR g.version = u.v
        """;

    private const string ConsumeSql = "DELETE FROM orch_inbox WHERE msg_id = ANY(@ids) AND status = 0 RETURNING msg_id";

    private const string WriteSql = """
        WITH upd AS (UPDATE orch_grain_state g SET version = g.version + u.n, state = u.st, epoch = u.ep, updated_at = now()
                FROM unnest(@t, @k, @v, @n, @st, @ep) AS u(t, k, v, n, st, ep)
                WHERE u.v > 0 AND g.grain_type = u.t AND g.grain_key = u.k AND g.version = u.v RETURNING 1),
        ins AS (INSERT INTO orch_grain_state (grain_type, grain_key, shard_id, version, epoch, state, updated_at)
                SELECT u.t, u.k, u.sh, u.n, u.ep, u.st, now() FROM unnest(@t, @k, @v, @n, @st, @ep, @sh) AS u(t, k, v, n, st, ep, sh) WHERE u.v = 0
                ON CONFLICT DO NOTHING RETURNING 1),
        rem AS (INSERT INTO orch_reminder (grain_type, grain_key, name, shard_id, kind, period_ms, anchor, cron, time_zone, misfire, next_due, last_due, version)
                SELECT r.t, r.k, r.name, r.shard, r.kind, r.period, r.anchor, r.cron, r.tz, r.misfire, r.next, NULL, 1
                FROM unnest(@r_t, @r_k, @r_name, @r_shard, @r_kind, @r_period, @r_anchor, @r_cron, @r_tz, @r_misfire, @r_next)
                     AS r(t, k, name, shard, kind, period, anchor, cron, tz, misfire, next)
                ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET shard_id = excluded.shard_id, kind = excluded.kind,
                    period_ms = excluded.period_ms, anchor = excluded.anchor, cron = excluded.cron, time_zone = excluded.time_zone,
                    misfire = excluded.misfire, next_due = excluded.next_due, version = orch_reminder.version + 1
                RETURNING 1),
        remdel AS (DELETE FROM orch_reminder d USING unnest(@d_t, @d_k, @d_name) AS x(t, k, name)
                WHERE d.grain_type = x.t AND d.grain_key = x.k AND d.name = x.name RETURNING 1)
        SELECT (SELECT count(*) FROM upd) + (SELECT count(*) FROM ins)
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
        var single = new CommitOutcome[turns.Count];
        for (var i = 0; i < turns.Count; i++)
        {
            single[i] = (await TryCommit(siloId, [turns[i]], cancellationToken))![0];
        }
        return single;
    }

    /// <returns>The outcomes, or null when a batch of several turns was rolled back and must go turn by turn.</returns>
    private async Task<CommitOutcome[]?> TryCommit(string siloId, IReadOnlyList<TurnCommit> turns, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var outcomes = new CommitOutcome[turns.Count];

        var candidates = await Candidates(connection, tx, siloId, turns, cancellationToken);
        var consumed = await Consume(connection, tx, [.. candidates.SelectMany(i => turns[i].ConsumedMessageIds)], cancellationToken);
        var writes = new List<TurnCommit>(candidates.Count);
        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (!candidates.Contains(i))
            {
                continue;
            }
            var taken = turn.ConsumedMessageIds.Count(consumed.Contains);
            if (taken == turn.ConsumedMessageIds.Count)
            {
                writes.Add(turn);
                outcomes[i] = CommitOutcome.Committed;
            }
            else if (taken == 0)
            {
                outcomes[i] = CommitOutcome.AlreadyConsumed; // a duplicate delivery: nothing of it is kept
            }
            else
            {
                await tx.RollbackAsync(cancellationToken);
                return turns.Count > 1 ? null : [CommitOutcome.AlreadyConsumed];
            }
        }
        if (writes.Count > 0 && await Write(connection, tx, writes, cancellationToken) != writes.Count)
        {
            // A state write lost a race the snapshot did not see: its messages must not stay consumed.
            await tx.RollbackAsync(cancellationToken);
            return turns.Count > 1 ? null : [CommitOutcome.VersionConflict];
        }
        if (candidates.Count < turns.Count)
        {
            var held = await HeldShards(connection, tx, siloId, cancellationToken);
            for (var i = 0; i < turns.Count; i++)
            {
                if (!candidates.Contains(i))
                {
                    outcomes[i] = held.Contains(new ShardLease(turns[i].Shard, turns[i].Epoch)) ? CommitOutcome.VersionConflict : CommitOutcome.Fenced;
                }
            }
        }
        await tx.CommitAsync(cancellationToken);
        return outcomes;
    }

    private static async Task<HashSet<int>> Candidates(NpgsqlConnection connection, NpgsqlTransaction tx, string siloId, IReadOnlyList<TurnCommit> turns, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(CandidatesSql, connection, tx);
        cmd.Parameters.AddWithValue("me", siloId);
        cmd.Parameters.AddWithValue("t", turns.Select(t => t.Grain.Type).ToArray());
        cmd.Parameters.AddWithValue("k", turns.Select(t => t.Grain.Key).ToArray());
        cmd.Parameters.AddWithValue("v", turns.Select(t => t.ExpectedVersion).ToArray());
        cmd.Parameters.AddWithValue("sh", turns.Select(t => t.Shard).ToArray());
        cmd.Parameters.AddWithValue("ep", turns.Select(t => t.Epoch).ToArray());
        var result = new HashSet<int>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add((int)reader.GetInt64(0) - 1);
        }
        return result;
    }

    private static async Task<HashSet<long>> Consume(NpgsqlConnection connection, NpgsqlTransaction tx, long[] ids, CancellationToken cancellationToken)
    {
        var consumed = new HashSet<long>();
        if (ids.Length == 0)
        {
            return consumed;
        }
        await using var cmd = new NpgsqlCommand(ConsumeSql, connection, tx);
        cmd.Parameters.AddWithValue("ids", ids);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            consumed.Add(reader.GetInt64(0));
        }
        return consumed;
    }

    /// <returns>How many grain states were written (one per turn when nothing raced).</returns>
    private async Task<long> Write(NpgsqlConnection connection, NpgsqlTransaction tx, List<TurnCommit> turns, CancellationToken cancellationToken)
    {
        long written;
        await using (var write = new NpgsqlCommand(WriteSql, connection, tx))
        {
            AddWriteParameters(write.Parameters, turns);
            written = (long)(await write.ExecuteScalarAsync(cancellationToken))!;
        }
        if (written == turns.Count)
        {
            await InsertMessagesAsync(connection, tx, [.. turns.SelectMany(t => t.Outbox)], cancellationToken);
            await PostgresIndexStore.WriteAsync(connection, tx, turns, cancellationToken);
        }
        return written;
    }

    private static async Task<HashSet<ShardLease>> HeldShards(NpgsqlConnection connection, NpgsqlTransaction tx, string siloId, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT shard_id, epoch FROM orch_shard_lease WHERE owner_silo = @me", connection, tx);
        cmd.Parameters.AddWithValue("me", siloId);
        return [.. await ReadLeases(cmd, cancellationToken)];
    }

    private static void AddWriteParameters(NpgsqlParameterCollection p, IReadOnlyList<TurnCommit> turns)
    {
        p.AddWithValue("t", turns.Select(t => t.Grain.Type).ToArray());
        p.AddWithValue("k", turns.Select(t => t.Grain.Key).ToArray());
        p.AddWithValue("v", turns.Select(t => t.ExpectedVersion).ToArray());
        p.AddWithValue("n", turns.Select(t => (long)t.Turns).ToArray());
        p.AddWithValue("st", NpgsqlDbType.Array | NpgsqlDbType.Bytea, turns.Select(t => t.State).ToArray());
        p.AddWithValue("sh", turns.Select(t => t.Shard).ToArray());
        p.AddWithValue("ep", turns.Select(t => t.Epoch).ToArray());

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
