using Npgsql;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Storage.Postgres;

namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// Grain state rows on PostgreSQL (<c>orch_grain</c>). A batch is one READ COMMITTED transaction: one round trip of
/// statements over arrays (update at the expected version, insert if absent, delete at the expected version), whose
/// returned rows say which writes applied; then the applied writes' index rows (arrays again); then one commit, so
/// one WAL flush for the whole batch. A write whose row moved on returns no row and is refused alone. A concurrent
/// writer of the same row is waited for and then re-checked by PostgreSQL (the version no longer matches).
/// </summary>
internal sealed class PostgresGrainStateStore(NpgsqlDataSource dataSource) : IGrainStateStore
{
    private const string UpdateSql = """
        UPDATE orch_grain g SET version = g.version + 1, state = u.s, updated_at = now()
        FROM unnest(@t, @k, @n, @v, @s, @i) AS u(t, k, n, v, s, i)
        WHERE g.grain_type = u.t AND g.grain_key = u.k AND g.state_name = u.n AND g.version = u.v
        RETURNING u.i, g.version
        """;

    private const string InsertSql = """
        INSERT INTO orch_grain (grain_type, grain_key, state_name, version, state, updated_at)
        SELECT u.t, u.k, u.n, 1, u.s, now() FROM unnest(@t, @k, @n, @s) AS u(t, k, n, s)
        ON CONFLICT DO NOTHING
        RETURNING grain_type, grain_key, state_name
        """;

    private const string DeleteSql = """
        DELETE FROM orch_grain g USING unnest(@t, @k, @n, @v, @i) AS u(t, k, n, v, i)
        WHERE g.grain_type = u.t AND g.grain_key = u.k AND g.state_name = u.n AND g.version = u.v
        RETURNING u.i
        """;

    // A clear by a grain that saw no row applies only if there is still none; also how refused writes learn the
    // stored version for their exception.
    private const string VersionsSql = """
        SELECT u.i, g.version FROM unnest(@t, @k, @n, @i) AS u(t, k, n, i)
        JOIN orch_grain g ON g.grain_type = u.t AND g.grain_key = u.k AND g.state_name = u.n
        """;

    private const string ReadManySql = """
        SELECT u.i, g.version, g.state FROM unnest(@t, @k, @n, @i) AS u(t, k, n, i)
        JOIN orch_grain g ON g.grain_type = u.t AND g.grain_key = u.k AND g.state_name = u.n
        """;

    public int MaxConcurrency => int.MaxValue;

    public async Task<IReadOnlyDictionary<GrainStateKey, StoredGrainState>> ReadManyAsync(IReadOnlyList<GrainStateKey> grains, CancellationToken cancellationToken)
    {
        var found = new Dictionary<GrainStateKey, StoredGrainState>(grains.Count);
        if (grains.Count == 0)
        {
            return found;
        }
        await using var cmd = dataSource.CreateCommand(ReadManySql);
        cmd.Parameters.AddWithValue("t", grains.Select(g => g.Type).ToArray());
        cmd.Parameters.AddWithValue("k", grains.Select(g => g.Key).ToArray());
        cmd.Parameters.AddWithValue("n", grains.Select(g => g.Name).ToArray());
        cmd.Parameters.AddWithValue("i", Enumerable.Range(0, grains.Count).ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found[grains[reader.GetInt32(0)]] = new StoredGrainState(reader.GetInt64(1), reader.GetString(2));
        }
        return found;
    }

    public async Task<GrainWriteOutcome[]> CommitAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken)
    {
        var outcomes = new GrainWriteOutcome?[writes.Count];
        var updates = Ordinals(writes, w => w.ExpectedVersion is not null && w.Json is not null);
        var inserts = Ordinals(writes, w => w.ExpectedVersion is null && w.Json is not null);
        var deletes = Ordinals(writes, w => w.ExpectedVersion is not null && w.Json is null);
        var absentClears = Ordinals(writes, w => w.ExpectedVersion is null && w.Json is null);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            if (updates.Length > 0)
            {
                batch.BatchCommands.Add(Command(UpdateSql, writes, updates, version: true, state: true, ordinal: true));
            }
            if (inserts.Length > 0)
            {
                batch.BatchCommands.Add(Command(InsertSql, writes, inserts, version: false, state: true, ordinal: false));
            }
            if (deletes.Length > 0)
            {
                batch.BatchCommands.Add(Command(DeleteSql, writes, deletes, version: true, state: false, ordinal: true));
            }
            if (absentClears.Length > 0)
            {
                batch.BatchCommands.Add(Command(VersionsSql, writes, absentClears, version: false, state: false, ordinal: true));
            }
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (updates.Length > 0)
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    outcomes[reader.GetInt32(0)] = GrainWriteOutcome.Committed(reader.GetInt64(1));
                }
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
            if (inserts.Length > 0)
            {
                var byGrain = inserts.ToDictionary(i => writes[i].Grain);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    outcomes[byGrain[new GrainStateKey(reader.GetString(0), reader.GetString(1), reader.GetString(2))]] = GrainWriteOutcome.Committed(1);
                }
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
            if (deletes.Length > 0)
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    outcomes[reader.GetInt32(0)] = GrainWriteOutcome.Committed(0);
                }
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
            if (absentClears.Length > 0)
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    outcomes[reader.GetInt32(0)] = GrainWriteOutcome.Conflict(reader.GetInt64(1));
                }
                foreach (var i in absentClears)
                {
                    outcomes[i] ??= GrainWriteOutcome.Committed(0);
                }
            }
        }

        var refused = Ordinals(writes, (_, i) => outcomes[i] is null);
        if (refused.Length > 0)
        {
            await ReadStoredVersionsAsync(connection, tx, writes, refused, outcomes, cancellationToken).ConfigureAwait(false);
        }
        // Index rows of the applied writes only, the later write of a key winning (batch order is arrival order).
        var indexes = IndexWrite.LastWins(writes.Where((_, i) => outcomes[i]!.Value.Applied).SelectMany(w => w.Indexes));
        await PostgresIndexStore.WriteAsync(connection, tx, indexes, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return [.. outcomes.Select(o => o!.Value)];
    }

    private static async Task ReadStoredVersionsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<GrainStateWrite> writes, int[] refused,
        GrainWriteOutcome?[] outcomes, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, tx) { BatchCommands = { Command(VersionsSql, writes, refused, version: false, state: false, ordinal: true) } };
        var stored = new Dictionary<int, long>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stored[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }
        foreach (var i in refused)
        {
            outcomes[i] = GrainWriteOutcome.Conflict(stored.TryGetValue(i, out var version) ? version : null);
        }
    }

    private static NpgsqlBatchCommand Command(string sql, IReadOnlyList<GrainStateWrite> writes, int[] ordinals, bool version, bool state, bool ordinal)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddWithValue("t", ordinals.Select(i => writes[i].Grain.Type).ToArray());
        cmd.Parameters.AddWithValue("k", ordinals.Select(i => writes[i].Grain.Key).ToArray());
        cmd.Parameters.AddWithValue("n", ordinals.Select(i => writes[i].Grain.Name).ToArray());
        if (version)
        {
            cmd.Parameters.AddWithValue("v", ordinals.Select(i => writes[i].ExpectedVersion!.Value).ToArray());
        }
        if (state)
        {
            cmd.Parameters.AddWithValue("s", ordinals.Select(i => writes[i].Json!).ToArray());
        }
        if (ordinal)
        {
            cmd.Parameters.AddWithValue("i", ordinals);
        }
        return cmd;
    }

    private static int[] Ordinals(IReadOnlyList<GrainStateWrite> writes, Func<GrainStateWrite, bool> pick) => Ordinals(writes, (w, _) => pick(w));

    private static int[] Ordinals(IReadOnlyList<GrainStateWrite> writes, Func<GrainStateWrite, int, bool> pick) =>
        [.. Enumerable.Range(0, writes.Count).Where(i => pick(writes[i], i))];
}
