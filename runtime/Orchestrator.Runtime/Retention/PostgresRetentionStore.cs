using System.Globalization;
using Npgsql;
using Orchestrator.Runtime.Audit;
using Orchestrator.Runtime.Blobs;

namespace Orchestrator.Runtime.Retention;

/// <summary>The retention queries on PostgreSQL; each statement is its own short transaction.</summary>
internal sealed class PostgresRetentionStore(NpgsqlDataSource dataSource) : IRetentionStore
{
    public async Task<IReadOnlyList<AuditEntry>> AuditBeforeAsync(DateTimeOffset before, long firstId, long lastId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        // (at, id) is indexed: the oldest rows come first without reading the rest.
        await using var cmd = dataSource.CreateCommand($"SELECT {AuditSql.Columns} FROM orch_audit WHERE at < @before AND id BETWEEN @first AND @last ORDER BY id LIMIT @limit");
        cmd.Parameters.AddWithValue("before", before.ToUniversalTime());
        cmd.Parameters.AddWithValue("first", firstId);
        cmd.Parameters.AddWithValue("last", lastId);
        cmd.Parameters.AddWithValue("limit", limit);
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

    public async Task<int> DeleteAuditAsync(long firstId, long lastId, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM orch_audit WHERE id BETWEEN @first AND @last AND at < @before");
        cmd.Parameters.AddWithValue("first", firstId);
        cmd.Parameters.AddWithValue("last", lastId);
        cmd.Parameters.AddWithValue("before", before.ToUniversalTime());
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<BlobInfo>> BlobsCreatedBeforeAsync(DateTimeOffset before, string? afterSha256, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var cmd = dataSource.CreateCommand(
            "SELECT sha256, size, created_at FROM orch_blob WHERE created_at < @before AND sha256 > @after ORDER BY sha256 LIMIT @limit");
        cmd.Parameters.AddWithValue("before", before.ToUniversalTime());
        cmd.Parameters.AddWithValue("after", afterSha256 ?? "");
        cmd.Parameters.AddWithValue("limit", limit);
        var rows = new List<BlobInfo>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new BlobInfo(reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }
        return rows;
    }

    public async Task<int> DeleteBlobsAsync(IReadOnlyCollection<string> sha256s, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sha256s);
        if (sha256s.Count == 0)
        {
            return 0;
        }
        await using var cmd = dataSource.CreateCommand("DELETE FROM orch_blob WHERE sha256 = ANY(@shas) AND created_at < @before");
        cmd.Parameters.AddWithValue("shas", sha256s.ToArray());
        cmd.Parameters.AddWithValue("before", before.ToUniversalTime());
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DateOnly>> LogDaysBeforeAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        // The day partitions of orch_log (orch_log_yyyymmdd), as PostgresLogStore names them.
        await using var cmd = dataSource.CreateCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'orch_log'::regclass");
        var days = new List<DateOnly>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = reader.GetString(0);
            if (name.StartsWith("orch_log_", StringComparison.Ordinal)
                && DateOnly.TryParseExact(name["orch_log_".Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var partition)
                && partition < day)
            {
                days.Add(partition);
            }
        }
        days.Sort();
        return days;
    }

    public Task<int> TrimLogsBeforeAsync(DateOnly day, int limit, CancellationToken cancellationToken = default) => Task.FromResult(0);
}
