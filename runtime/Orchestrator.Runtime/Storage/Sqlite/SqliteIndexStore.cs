using Microsoft.Data.Sqlite;
using Orchestrator.Runtime.Indexes;
using static Orchestrator.Runtime.Storage.Sqlite.SqliteConnector;

namespace Orchestrator.Runtime.Storage.Sqlite;

/// <summary>Index rows on SQLite: written by turn commits (one prepared statement run per row), read by key order.</summary>
internal sealed class SqliteIndexStore(SqliteConnector store) : IIndexReader
{
    private const string Columns = "kind, part, key, status, data";

    /// <summary>Applies one turn's index writes inside its commit's savepoint.</summary>
    public static void Write(SqliteConnection c, SqliteTransaction tx, IReadOnlyList<IndexWrite> writes, long now)
    {
        if (writes.Count == 0)
        {
            return;
        }
        SqliteCommand? upsert = null;
        SqliteCommand? delete = null;
        try
        {
            foreach (var write in writes)
            {
                if (write.Row is { } row)
                {
                    upsert ??= Prepared(c, tx,
                        "INSERT INTO orch_index (kind, part, key, status, data, updated_at) VALUES (@kind, @part, @key, @status, @data, @now) " +
                        "ON CONFLICT (kind, part, key) DO UPDATE SET status = excluded.status, data = excluded.data, updated_at = excluded.updated_at",
                        ("kind", ""), ("part", ""), ("key", ""), ("status", 0), ("data", null), ("now", now));
                    upsert.Parameters["@kind"].Value = row.Kind;
                    upsert.Parameters["@part"].Value = row.Partition;
                    upsert.Parameters["@key"].Value = row.Key;
                    upsert.Parameters["@status"].Value = row.Status;
                    upsert.Parameters["@data"].Value = (object?)row.Data ?? DBNull.Value;
                    upsert.ExecuteNonQuery();
                }
                else
                {
                    delete ??= Prepared(c, tx, "DELETE FROM orch_index WHERE kind = @kind AND part = @part AND key = @key", ("kind", ""), ("part", ""), ("key", ""));
                    delete.Parameters["@kind"].Value = write.Kind;
                    delete.Parameters["@part"].Value = write.Partition;
                    delete.Parameters["@key"].Value = write.Key;
                    delete.ExecuteNonQuery();
                }
            }
        }
        finally
        {
            upsert?.Dispose();
            delete?.Dispose();
        }
    }

    private static SqliteCommand Prepared(SqliteConnection c, SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = Command(c, tx, sql, parameters);
        cmd.Prepare();
        return cmd;
    }

    public Task<IReadOnlyList<IndexRow>> QueryAsync(IndexQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(query.Kind);
        ArgumentNullException.ThrowIfNull(query.Partitions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        if (query.Partitions.Count == 0 || query.Statuses is { Count: 0 })
        {
            return Task.FromResult<IReadOnlyList<IndexRow>>([]);
        }
        if (query.Descending && query.Partitions.Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw new ArgumentException("A descending index query reads one partition.", nameof(query));
        }
        var sql = $"SELECT {(query.KeysOnly ? "kind, part, key, status, NULL AS data" : Columns)} FROM orch_index WHERE kind = @kind";
        var parameters = new List<(string, object?)> { ("kind", query.Kind), ("limit", query.Limit) };
        if (query.Partitions.Count == 1)
        {
            sql += " AND part = @part";
            parameters.Add(("part", query.Partitions[0]));
        }
        else
        {
            sql += " AND part IN (SELECT value FROM json_each(@parts))";
            parameters.Add(("parts", Json(query.Partitions)));
        }
        if (query.Statuses is { } statuses)
        {
            sql += " AND status IN (SELECT value FROM json_each(@statuses))";
            parameters.Add(("statuses", Json(statuses)));
        }
        if (query.AfterKey is { } after)
        {
            sql += query.Descending ? " AND key < @after" : " AND key > @after";
            parameters.Add(("after", after));
        }
        sql += query.Descending ? " ORDER BY key DESC LIMIT @limit" : " ORDER BY key, part LIMIT @limit";
        return store.ReadAsync(c => ReadRows(c, sql, [.. parameters]), cancellationToken);
    }

    public Task<IReadOnlyList<IndexRow>> GetAsync(string kind, string partition, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<IndexRow>>([]);
        }
        return store.ReadAsync(c => ReadRows(c,
            $"SELECT {Columns} FROM orch_index WHERE kind = @kind AND part = @part AND key IN (SELECT value FROM json_each(@keys)) ORDER BY key",
            ("kind", kind), ("part", partition), ("keys", Json(keys))), cancellationToken);
    }

    public Task<IReadOnlyList<IndexRow>> ScanKindAsync(string kind, (string Partition, string Key)? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return after is { } a
            ? store.ReadAsync(c => ReadRows(c, "SELECT kind, part, key, status, NULL FROM orch_index WHERE kind = @kind AND (part, key) > (@part, @key) ORDER BY part, key LIMIT @limit",
                ("kind", kind), ("part", a.Partition), ("key", a.Key), ("limit", limit)), cancellationToken)
            : store.ReadAsync(c => ReadRows(c, "SELECT kind, part, key, status, NULL FROM orch_index WHERE kind = @kind ORDER BY part, key LIMIT @limit",
                ("kind", kind), ("limit", limit)), cancellationToken);
    }

    public Task<IReadOnlyDictionary<int, long>> CountByStatusAsync(string kind, string partition, CancellationToken cancellationToken = default) =>
        store.ReadAsync<IReadOnlyDictionary<int, long>>(c =>
        {
            using var cmd = Command(c, null, "SELECT status, count(*) FROM orch_index WHERE kind = @kind AND part = @part GROUP BY status", ("kind", kind), ("part", partition));
            using var reader = cmd.ExecuteReader();
            var counts = new Dictionary<int, long>();
            while (reader.Read())
            {
                counts[reader.GetInt32(0)] = reader.GetInt64(1);
            }
            return counts;
        }, cancellationToken);

    public Task<long> CountKindAsync(string kind, CancellationToken cancellationToken = default) =>
        store.ReadAsync(c =>
        {
            using var cmd = Command(c, null, "SELECT count(*) FROM orch_index WHERE kind = @kind", ("kind", kind));
            return (long)cmd.ExecuteScalar()!;
        }, cancellationToken);

    private static IReadOnlyList<IndexRow> ReadRows(SqliteConnection c, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, null, sql, parameters);
        using var reader = cmd.ExecuteReader();
        var rows = new List<IndexRow>();
        while (reader.Read())
        {
            rows.Add(new IndexRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        return rows;
    }
}
