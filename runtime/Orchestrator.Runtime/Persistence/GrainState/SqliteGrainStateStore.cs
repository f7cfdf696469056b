using Microsoft.Data.Sqlite;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Storage.Sqlite;
using static Orchestrator.Runtime.Storage.Sqlite.SqliteConnector;

namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// Grain state rows on SQLite (<c>orch_grain</c>): a batch is one transaction on the single writer (one fsync),
/// each write a conditional statement whose changed-row count says whether it applied; a refused write changed
/// nothing, so the others of its batch stand. Then the applied writes' index rows, in the same transaction.
/// </summary>
internal sealed class SqliteGrainStateStore(SqliteConnector store, TimeProvider clock) : IGrainStateStore
{
    public int MaxConcurrency => 1;

    public async Task<IReadOnlyDictionary<GrainStateKey, StoredGrainState>> ReadManyAsync(IReadOnlyList<GrainStateKey> grains, CancellationToken cancellationToken) =>
        await store.ReadAsync<IReadOnlyDictionary<GrainStateKey, StoredGrainState>>(c =>
        {
            var found = new Dictionary<GrainStateKey, StoredGrainState>(grains.Count);
            using var cmd = Command(c, null, "SELECT version, state FROM orch_grain WHERE grain_type = @t AND grain_key = @k AND state_name = @n", ("t", ""), ("k", ""), ("n", ""));
            foreach (var grain in grains)
            {
                Bind(cmd, grain);
                using var reader = cmd.ExecuteReader();
                if (reader.Read())
                {
                    found[grain] = new StoredGrainState(reader.GetInt64(0), reader.GetString(1));
                }
            }
            return found;
        }, cancellationToken).ConfigureAwait(false);

    public Task<GrainWriteOutcome[]> CommitAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken) => store.WriteAsync((c, tx) =>
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var outcomes = new GrainWriteOutcome[writes.Count];
        using var update = Prepared(c, tx, "UPDATE orch_grain SET version = version + 1, state = @s, updated_at = @now WHERE grain_type = @t AND grain_key = @k AND state_name = @n AND version = @v");
        using var insert = Prepared(c, tx, "INSERT INTO orch_grain (grain_type, grain_key, state_name, version, state, updated_at) VALUES (@t, @k, @n, 1, @s, @now) ON CONFLICT DO NOTHING");
        using var delete = Prepared(c, tx, "DELETE FROM orch_grain WHERE grain_type = @t AND grain_key = @k AND state_name = @n AND version = @v");
        using var version = Prepared(c, tx, "SELECT version FROM orch_grain WHERE grain_type = @t AND grain_key = @k AND state_name = @n");
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            var applied = (write.ExpectedVersion, write.Json) switch
            {
                ({ } v, { } json) => Run(update, write.Grain, v, json, now) == 1 ? GrainWriteOutcome.Committed(v + 1) : (GrainWriteOutcome?)null,
                (null, { } json) => Run(insert, write.Grain, null, json, now) == 1 ? GrainWriteOutcome.Committed(1) : null,
                ({ } v, null) => Run(delete, write.Grain, v, null, now) == 1 ? GrainWriteOutcome.Committed(0) : null,
                (null, null) => Stored(version, write.Grain) is null ? GrainWriteOutcome.Committed(0) : null,
            };
            outcomes[i] = applied ?? GrainWriteOutcome.Conflict(Stored(version, write.Grain));
        }
        var indexes = IndexWrite.LastWins(writes.Where((_, i) => outcomes[i].Applied).SelectMany(w => w.Indexes));
        SqliteIndexStore.Write(c, tx, indexes, now);
        return outcomes;
    }, cancellationToken);

    private static SqliteCommand Prepared(SqliteConnection c, SqliteTransaction tx, string sql)
    {
        var cmd = Command(c, tx, sql, ("t", ""), ("k", ""), ("n", ""), ("v", 0L), ("s", ""), ("now", 0L));
        return cmd;
    }

    private static int Run(SqliteCommand cmd, GrainStateKey grain, long? expected, string? json, long now)
    {
        Bind(cmd, grain);
        cmd.Parameters["@v"].Value = expected ?? 0L;
        cmd.Parameters["@s"].Value = (object?)json ?? DBNull.Value;
        cmd.Parameters["@now"].Value = now;
        return cmd.ExecuteNonQuery();
    }

    private static long? Stored(SqliteCommand cmd, GrainStateKey grain)
    {
        Bind(cmd, grain);
        return cmd.ExecuteScalar() is long version ? version : null;
    }

    private static void Bind(SqliteCommand cmd, GrainStateKey grain)
    {
        cmd.Parameters["@t"].Value = grain.Type;
        cmd.Parameters["@k"].Value = grain.Key;
        cmd.Parameters["@n"].Value = grain.Name;
    }
}
