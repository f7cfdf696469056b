namespace Orchestrator.Runtime.Audit;

/// <summary>The SQL both stores share: the columns, and a query's filter as a WHERE clause with its parameters.</summary>
internal static class AuditSql
{
    public const string Columns = "id, at, who, action, object_kind, object_id, method, route, status, problem, address, trace_id";

    /// <summary>
    /// The SELECT for <paramref name="query"/>, newest first, and its parameters; <paramref name="time"/> turns an instant
    /// into the store's column value.
    /// </summary>
    public static (string Sql, List<(string Name, object Value)> Parameters) Select(AuditQuery query, Func<DateTimeOffset, object> time)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        var where = new List<string>();
        var parameters = new List<(string, object)>();
        if (query.Who is not null)
        {
            where.Add("who = @who");
            parameters.Add(("who", query.Who));
        }
        if (query.ObjectKind is not null)
        {
            where.Add("object_kind = @kind");
            parameters.Add(("kind", query.ObjectKind));
            if (query.ObjectId is not null)
            {
                // The object, or a part of it: 'ti-1/...' sorts from 'ti-1/' up to (not including) 'ti-10' ('0' follows '/').
                where.Add("(object_id = @oid OR (object_id >= @olow AND object_id < @ohigh))");
                parameters.Add(("oid", query.ObjectId));
                parameters.Add(("olow", query.ObjectId + "/"));
                parameters.Add(("ohigh", query.ObjectId + "0"));
            }
        }
        if (query.Action is not null)
        {
            where.Add("action = @action");
            parameters.Add(("action", query.Action));
        }
        if (query.From is { } from)
        {
            where.Add("at >= @from");
            parameters.Add(("from", time(from)));
        }
        if (query.To is { } to)
        {
            where.Add("at < @to");
            parameters.Add(("to", time(to)));
        }
        if (query.BeforeId is { } before)
        {
            where.Add("id < @before");
            parameters.Add(("before", before));
        }
        parameters.Add(("limit", query.Limit));
        var sql = $"SELECT {Columns} FROM orch_audit" + (where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where)) + " ORDER BY id DESC LIMIT @limit";
        return (sql, parameters);
    }
}
