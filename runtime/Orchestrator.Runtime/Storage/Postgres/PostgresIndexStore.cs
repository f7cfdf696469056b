using System.Text;
using Npgsql;
using NpgsqlTypes;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Runtime.Storage.Postgres;

/// <summary>Index rows on PostgreSQL: written by turn commits (arrays, one statement each), read by key order.</summary>
internal sealed class PostgresIndexStore(NpgsqlDataSource dataSource) : IIndexReader
{
    private const string Columns = "kind, part, key, status, data";

    // Each key appears once (IndexWrite.LastWins), so the upsert never touches a row twice.
    private const string UpsertSql = """
        INSERT INTO orch_index (kind, part, key, status, data, updated_at)
        SELECT u.kind, u.part, u.key, u.status, u.data, now() FROM unnest(@kind, @part, @key, @status, @data) AS u(kind, part, key, status, data)
        ON CONFLICT (kind, part, key) DO UPDATE SET status = excluded.status, data = excluded.data, updated_at = excluded.updated_at
        """;

    private const string DeleteSql = """
        DELETE FROM orch_index d USING unnest(@kind, @part, @key) AS x(kind, part, key)
        WHERE d.kind = x.kind AND d.part = x.part AND d.key = x.key
        """;

    /// <summary>Applies index writes (one per key, in ordinal key order: <see cref="IndexWrite.LastWins"/>) in the caller's transaction.</summary>
    public static async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<IndexWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
        {
            return;
        }
        var upserts = writes.Where(w => w.Row is not null).Select(w => w.Row!).ToList();
        if (upserts.Count > 0)
        {
            await using var cmd = new NpgsqlCommand(UpsertSql, connection, tx);
            cmd.Parameters.AddWithValue("kind", upserts.Select(r => r.Kind).ToArray());
            cmd.Parameters.AddWithValue("part", upserts.Select(r => r.Partition).ToArray());
            cmd.Parameters.AddWithValue("key", upserts.Select(r => r.Key).ToArray());
            cmd.Parameters.AddWithValue("status", upserts.Select(r => r.Status).ToArray());
            cmd.Parameters.AddWithValue("data", NpgsqlDbType.Array | NpgsqlDbType.Text, upserts.Select(r => r.Data).ToArray());
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        var deletes = writes.Where(w => w.Row is null).ToList();
        if (deletes.Count > 0)
        {
            await using var cmd = new NpgsqlCommand(DeleteSql, connection, tx);
            cmd.Parameters.AddWithValue("kind", deletes.Select(d => d.Kind).ToArray());
            cmd.Parameters.AddWithValue("part", deletes.Select(d => d.Partition).ToArray());
            cmd.Parameters.AddWithValue("key", deletes.Select(d => d.Key).ToArray());
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<IndexRow>> QueryAsync(IndexQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(query.Kind);
        ArgumentNullException.ThrowIfNull(query.Partitions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        if (query.Partitions.Count == 0 || query.Statuses is { Count: 0 })
        {
            return [];
        }
        // One partition: a range scan of the primary key in key order. Several: the same scan per partition (a
        // lateral join over the list), merged; "part = ANY(...) ORDER BY key" would sort every matching row instead.
        var filter = new StringBuilder("i.kind = @kind");
        var columns = query.KeysOnly ? "kind, part, key, status, NULL::text AS data" : Columns;
        await using var cmd = dataSource.CreateCommand();
        cmd.Parameters.AddWithValue("kind", query.Kind);
        cmd.Parameters.AddWithValue("limit", query.Limit);
        if (query.Statuses is { } statuses)
        {
            filter.Append(" AND i.status = ANY(@statuses)");
            cmd.Parameters.AddWithValue("statuses", statuses.ToArray());
        }
        if (query.AfterKey is { } after)
        {
            filter.Append(query.Descending ? " AND i.key < @after" : " AND i.key > @after");
            cmd.Parameters.AddWithValue("after", after);
        }
        var partitions = query.Partitions.Distinct(StringComparer.Ordinal).ToArray();
        if (query.Descending && partitions.Length > 1)
        {
            throw new ArgumentException("A descending index query reads one partition.", nameof(query));
        }
        if (partitions.Length == 1)
        {
            cmd.CommandText = $"SELECT {columns} FROM orch_index i WHERE {filter} AND i.part = @part ORDER BY i.key{(query.Descending ? " DESC" : "")} LIMIT @limit";
            cmd.Parameters.AddWithValue("part", partitions[0]);
        }
        else
        {
            cmd.CommandText = $"""
                SELECT r.kind, r.part, r.key, r.status, r.data FROM unnest(@parts) AS p(part)
                CROSS JOIN LATERAL (SELECT {columns} FROM orch_index i WHERE {filter} AND i.part = p.part ORDER BY i.key LIMIT @limit) r
                ORDER BY r.key, r.part COLLATE "C" LIMIT @limit
                """;
            cmd.Parameters.AddWithValue("parts", partitions);
        }
        return await ReadRows(cmd, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<IndexRow>> GetAsync(string kind, string partition, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM orch_index WHERE kind = @kind AND part = @part AND key = ANY(@keys) ORDER BY key");
        cmd.Parameters.AddWithValue("kind", kind);
        cmd.Parameters.AddWithValue("part", partition);
        cmd.Parameters.AddWithValue("keys", keys.ToArray());
        return await ReadRows(cmd, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<IndexRow>> ScanKindAsync(string kind, (string Partition, string Key)? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        // The primary key (kind, part, key) gives this order; the row comparison resumes where the last page ended.
        await using var cmd = dataSource.CreateCommand(after is null
            ? "SELECT kind, part, key, status, NULL::text FROM orch_index WHERE kind = @kind ORDER BY part, key LIMIT @limit"
            : "SELECT kind, part, key, status, NULL::text FROM orch_index WHERE kind = @kind AND (part, key) > (@part, @key) ORDER BY part, key LIMIT @limit");
        cmd.Parameters.AddWithValue("kind", kind);
        cmd.Parameters.AddWithValue("limit", limit);
        if (after is { } a)
        {
            cmd.Parameters.AddWithValue("part", a.Partition);
            cmd.Parameters.AddWithValue("key", a.Key);
        }
        return await ReadRows(cmd, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<int, long>> CountByStatusAsync(string kind, string partition, CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand("SELECT status, count(*) FROM orch_index WHERE kind = @kind AND part = @part GROUP BY status");
        cmd.Parameters.AddWithValue("kind", kind);
        cmd.Parameters.AddWithValue("part", partition);
        var counts = new Dictionary<int, long>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[reader.GetInt32(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    public async Task<long> CountKindAsync(string kind, CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM orch_index WHERE kind = @kind");
        cmd.Parameters.AddWithValue("kind", kind);
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<IReadOnlyList<IndexRow>> ReadRows(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var rows = new List<IndexRow>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new IndexRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        return rows;
    }
}
