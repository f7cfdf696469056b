using Npgsql;
using NpgsqlTypes;

namespace Orchestrator.Runtime.Audit;

/// <summary>The audit log on PostgreSQL (<c>orch_audit</c>); a batch is one INSERT of arrays (one round trip, one commit).</summary>
internal sealed class PostgresAuditStore(NpgsqlDataSource dataSource) : IAuditStore
{
    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }
        var rows = entries.Select(e => e.Normalized()).ToList();
        // WITH ORDINALITY: the ids follow the batch's order.
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO orch_audit (at, who, action, object_kind, object_id, method, route, status, problem, address, trace_id)
            SELECT at, who, action, object_kind, object_id, method, route, status, problem, address, trace_id
            FROM unnest(@at, @who, @action, @object_kind, @object_id, @method, @route, @status, @problem, @address, @trace_id)
                WITH ORDINALITY AS u(at, who, action, object_kind, object_id, method, route, status, problem, address, trace_id, n)
            ORDER BY n
            """);
        var p = cmd.Parameters;
        p.AddWithValue("at", rows.Select(r => r.At.ToUniversalTime()).ToArray());
        p.AddWithValue("who", rows.Select(r => r.Who).ToArray());
        p.AddWithValue("action", rows.Select(r => r.Action).ToArray());
        p.Add(new NpgsqlParameter("object_kind", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.ObjectKind).ToArray() });
        p.Add(new NpgsqlParameter("object_id", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.ObjectId).ToArray() });
        p.AddWithValue("method", rows.Select(r => r.Method).ToArray());
        p.AddWithValue("route", rows.Select(r => r.Route).ToArray());
        p.AddWithValue("status", rows.Select(r => r.Status).ToArray());
        p.Add(new NpgsqlParameter("problem", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Problem).ToArray() });
        p.Add(new NpgsqlParameter("address", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Address).ToArray() });
        p.AddWithValue("trace_id", rows.Select(r => r.TraceId).ToArray());
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var (sql, parameters) = AuditSql.Select(query, t => t.ToUniversalTime());
        await using var cmd = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        var rows = new List<AuditEntry>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new AuditEntry(reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetInt32(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetString(11))
            { Id = reader.GetInt64(0) });
        }
        return rows;
    }
}
