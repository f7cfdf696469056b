using Orchestrator.Runtime.Storage.Sqlite;
using static Orchestrator.Runtime.Storage.Sqlite.SqliteConnector;

namespace Orchestrator.Runtime.Audit;

/// <summary>The audit log on SQLite (<c>orch_audit</c>); a batch is one transaction on the single writer.</summary>
internal sealed class SqliteAuditStore(SqliteConnector store) : IAuditStore
{
    private const string InsertSql = """
        INSERT INTO orch_audit (at, who, action, object_kind, object_id, method, route, status, problem, address, trace_id)
        VALUES (@at, @who, @action, @object_kind, @object_id, @method, @route, @status, @problem, @address, @trace_id)
        """;

    public Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return Task.CompletedTask;
        }
        return store.WriteAsync((c, tx) =>
        {
            using var cmd = Command(c, tx, InsertSql, ("at", 0L), ("who", ""), ("action", ""), ("object_kind", null), ("object_id", null), ("method", ""),
                ("route", ""), ("status", 0), ("problem", null), ("address", null), ("trace_id", ""));
            cmd.Prepare();
            foreach (var raw in entries)
            {
                var e = raw.Normalized();
                var p = cmd.Parameters;
                p["@at"].Value = Ms(e.At);
                p["@who"].Value = e.Who;
                p["@action"].Value = e.Action;
                p["@object_kind"].Value = (object?)e.ObjectKind ?? DBNull.Value;
                p["@object_id"].Value = (object?)e.ObjectId ?? DBNull.Value;
                p["@method"].Value = e.Method;
                p["@route"].Value = e.Route;
                p["@status"].Value = e.Status;
                p["@problem"].Value = (object?)e.Problem ?? DBNull.Value;
                p["@address"].Value = (object?)e.Address ?? DBNull.Value;
                p["@trace_id"].Value = e.TraceId;
                cmd.ExecuteNonQuery();
            }
            return 0;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var (sql, parameters) = AuditSql.Select(query, t => Ms(t));
        return store.ReadAsync<IReadOnlyList<AuditEntry>>(c =>
        {
            using var cmd = Command(c, null, sql, [.. parameters.Select(p => (p.Name, (object?)p.Value))]);
            using var reader = cmd.ExecuteReader();
            var rows = new List<AuditEntry>();
            while (reader.Read())
            {
                rows.Add(new AuditEntry(At(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetInt32(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetString(11))
                { Id = reader.GetInt64(0) });
            }
            return rows;
        }, cancellationToken);
    }
}
