using Npgsql;
using Orchestrator.Runtime.Logs;

namespace Orchestrator.Runtime.Persistence.DeadLetters;

/// <summary>Parked messages on PostgreSQL (<c>orch_dead_letters</c>); target keys compare bytewise, so a prefix is a range.</summary>
internal sealed class PostgresDeadLetterStore(NpgsqlDataSource dataSource) : IDeadLetterStore
{
    public async Task<long> ParkAsync(ParkedMessage message, CancellationToken cancellationToken = default)
    {
        ParkedMessages.Validate(message);
        await using var cmd = dataSource.CreateCommand(ParkedMessages.ParkSql);
        var p = cmd.Parameters;
        p.AddWithValue("sender_type", message.SenderType);
        p.AddWithValue("sender_key", message.SenderKey);
        p.AddWithValue("target_type", message.TargetType);
        p.AddWithValue("target_key", message.TargetKey);
        p.AddWithValue("interface", message.Interface);
        p.AddWithValue("method", message.Method);
        p.AddWithValue("args", LogText.Clean(message.ArgsJson));
        p.AddWithValue("dedupe_key", message.DedupeKey);
        p.AddWithValue("error", LogText.Clean(message.Error));
        p.AddWithValue("attempts", message.Attempts);
        p.AddWithValue("first_sent_at", message.FirstSentAt.ToUniversalTime());
        p.AddWithValue("parked_at", message.ParkedAt.ToUniversalTime());
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<IReadOnlyList<ParkedMessage>> ListAsync(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var cmd = dataSource.CreateCommand($"SELECT {ParkedMessages.Columns} FROM orch_dead_letters WHERE id > @after ORDER BY id LIMIT @limit");
        cmd.Parameters.AddWithValue("after", afterId);
        cmd.Parameters.AddWithValue("limit", limit);
        return await ReadAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ParkedMessage>> ListByTargetKeyPrefixAsync(string targetKeyPrefix, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetKeyPrefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var upper = LogStreamRange.UpperBound(targetKeyPrefix);
        await using var cmd = dataSource.CreateCommand(
            $"SELECT {ParkedMessages.Columns} FROM orch_dead_letters WHERE target_key >= @lower" + (upper is null ? "" : " AND target_key < @upper") +
            " AND id > @after ORDER BY id LIMIT @limit");
        cmd.Parameters.AddWithValue("lower", targetKeyPrefix);
        if (upper is not null)
        {
            cmd.Parameters.AddWithValue("upper", upper);
        }
        cmd.Parameters.AddWithValue("after", afterId);
        cmd.Parameters.AddWithValue("limit", limit);
        return await ReadAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ParkedMessage?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {ParkedMessages.Columns} FROM orch_dead_letters WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        var rows = await ReadAsync(cmd, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM orch_dead_letters WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static async Task<IReadOnlyList<ParkedMessage>> ReadAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var rows = new List<ParkedMessage>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new ParkedMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetInt32(10),
                reader.GetFieldValue<DateTimeOffset>(11), reader.GetFieldValue<DateTimeOffset>(12)));
        }
        return rows;
    }
}
