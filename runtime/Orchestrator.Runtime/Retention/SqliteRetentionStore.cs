using System.Globalization;
using Orchestrator.Runtime.Audit;
using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Storage.Sqlite;
using static Orchestrator.Runtime.Storage.Sqlite.SqliteConnector;

namespace Orchestrator.Runtime.Retention;

/// <summary>
/// The retention queries on SQLite. Deletes go through the file's single writer, a bounded number of rows each, so
/// live writes queue behind one short transaction at most.
/// </summary>
internal sealed class SqliteRetentionStore(SqliteConnector store) : IRetentionStore
{
    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public Task<IReadOnlyList<AuditEntry>> AuditBeforeAsync(DateTimeOffset before, long firstId, long lastId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return store.ReadAsync<IReadOnlyList<AuditEntry>>(c =>
        {
            using var cmd = Command(c, null, $"SELECT {AuditSql.Columns} FROM orch_audit WHERE at < @before AND id BETWEEN @first AND @last ORDER BY id LIMIT @limit", ("before", Ms(before)), ("first", firstId), ("last", lastId), ("limit", limit));
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

    public Task<int> DeleteAuditAsync(long firstId, long lastId, DateTimeOffset before, CancellationToken cancellationToken = default) =>
        store.WriteAsync((c, tx) => Exec(c, tx, "DELETE FROM orch_audit WHERE id BETWEEN @first AND @last AND at < @before",
            ("first", firstId), ("last", lastId), ("before", Ms(before))), cancellationToken);

    public Task<IReadOnlyList<BlobInfo>> BlobsCreatedBeforeAsync(DateTimeOffset before, string? afterSha256, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return store.ReadAsync<IReadOnlyList<BlobInfo>>(c =>
        {
            using var cmd = Command(c, null, "SELECT sha256, size, created_at FROM orch_blob WHERE created_at < @before AND sha256 > @after ORDER BY sha256 LIMIT @limit",
                ("before", Ms(before)), ("after", afterSha256 ?? ""), ("limit", limit));
            using var reader = cmd.ExecuteReader();
            var rows = new List<BlobInfo>();
            while (reader.Read())
            {
                rows.Add(new BlobInfo(reader.GetString(0), reader.GetInt64(1), At(reader.GetInt64(2))));
            }
            return rows;
        }, cancellationToken);
    }

    public Task<int> DeleteBlobsAsync(IReadOnlyCollection<string> sha256s, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sha256s);
        if (sha256s.Count == 0)
        {
            return Task.FromResult(0);
        }
        return store.WriteAsync((c, tx) =>
        {
            using var cmd = Command(c, tx, "DELETE FROM orch_blob WHERE sha256 = @sha AND created_at < @before", ("sha", ""), ("before", Ms(before)));
            var deleted = 0;
            foreach (var sha in sha256s)
            {
                cmd.Parameters["@sha"].Value = sha;
                deleted += cmd.ExecuteNonQuery();
            }
            return deleted;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<DateOnly>> LogDaysBeforeAsync(DateOnly day, CancellationToken cancellationToken = default) =>
        store.ReadAsync<IReadOnlyList<DateOnly>>(c =>
        {
            using var cmd = Command(c, null, "SELECT DISTINCT day FROM orch_log WHERE day < @day ORDER BY day", ("day", Day(day)));
            using var reader = cmd.ExecuteReader();
            var days = new List<DateOnly>();
            while (reader.Read())
            {
                days.Add(DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            return days;
        }, cancellationToken);

    public Task<int> TrimLogsBeforeAsync(DateOnly day, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return store.WriteAsync((c, tx) => Exec(c, tx,
            "DELETE FROM orch_log WHERE (stream, seq) IN (SELECT stream, seq FROM orch_log WHERE day < @day LIMIT @limit)",
            ("day", Day(day)), ("limit", limit)), cancellationToken);
    }
}
