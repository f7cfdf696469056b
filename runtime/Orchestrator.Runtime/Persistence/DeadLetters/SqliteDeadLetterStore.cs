using Microsoft.Data.Sqlite;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Storage.Sqlite;
using static Orchestrator.Runtime.Storage.Sqlite.SqliteConnector;

namespace Orchestrator.Runtime.Persistence.DeadLetters;

/// <summary>Parked messages on SQLite (<c>orch_dead_letters</c>); writes go through the single writer.</summary>
internal sealed class SqliteDeadLetterStore(SqliteConnector store) : IDeadLetterStore
{
    public Task<long> ParkAsync(ParkedMessage message, CancellationToken cancellationToken = default)
    {
        ParkedMessages.Validate(message);
        return store.WriteAsync((c, tx) => (long)Scalar(c, tx, ParkedMessages.ParkSql,
            ("sender_type", message.SenderType), ("sender_key", message.SenderKey), ("target_type", message.TargetType), ("target_key", message.TargetKey),
            ("interface", message.Interface), ("method", message.Method), ("args", LogText.Clean(message.ArgsJson)), ("dedupe_key", message.DedupeKey),
            ("error", LogText.Clean(message.Error)), ("attempts", message.Attempts), ("first_sent_at", Ms(message.FirstSentAt)), ("parked_at", Ms(message.ParkedAt)))!,
            cancellationToken);
    }

    public Task<IReadOnlyList<ParkedMessage>> ListAsync(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return store.ReadAsync(c => Read(c, $"SELECT {ParkedMessages.Columns} FROM orch_dead_letters WHERE id > @after ORDER BY id LIMIT @limit",
            ("after", afterId), ("limit", limit)), cancellationToken);
    }

    public Task<IReadOnlyList<ParkedMessage>> ListByTargetKeyPrefixAsync(string targetKeyPrefix, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetKeyPrefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        // BINARY order is bytewise, so the prefix is a range the target index serves.
        var upper = LogStreamRange.UpperBound(targetKeyPrefix);
        var sql = $"SELECT {ParkedMessages.Columns} FROM orch_dead_letters WHERE target_key >= @lower" + (upper is null ? "" : " AND target_key < @upper") +
            " AND id > @after ORDER BY id LIMIT @limit";
        return store.ReadAsync(c => Read(c, sql, ("lower", targetKeyPrefix), ("upper", upper), ("after", afterId), ("limit", limit)), cancellationToken);
    }

    public async Task<ParkedMessage?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        var rows = await store.ReadAsync(c => Read(c, $"SELECT {ParkedMessages.Columns} FROM orch_dead_letters WHERE id = @id", ("id", id)), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        store.WriteAsync((c, tx) => Exec(c, tx, "DELETE FROM orch_dead_letters WHERE id = @id", ("id", id)) == 1, cancellationToken);

    private static IReadOnlyList<ParkedMessage> Read(SqliteConnection c, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, null, sql, parameters);
        using var reader = cmd.ExecuteReader();
        var rows = new List<ParkedMessage>();
        while (reader.Read())
        {
            rows.Add(new ParkedMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetInt32(10),
                At(reader.GetInt64(11)), At(reader.GetInt64(12))));
        }
        return rows;
    }
}
