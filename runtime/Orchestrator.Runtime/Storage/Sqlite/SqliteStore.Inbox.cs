using System.Text;
using Microsoft.Data.Sqlite;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Messaging;

namespace Orchestrator.Runtime.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const string InsertDedupeSql =
        "INSERT INTO orch_dedupe (grain_type, grain_key, dedupe_key, created_at) VALUES (@type, @key, @dedupe, @now) ON CONFLICT DO NOTHING";

    private const string InsertMessageSql =
        "INSERT INTO orch_inbox (shard_id, grain_type, grain_key, dedupe_key, payload, enqueued_at, visible_at) VALUES (@shard, @type, @key, @dedupe, @payload, @now, @visible)";

    public Task<GrainStateRecord?> ReadGrainAsync(GrainId grain, CancellationToken cancellationToken) => ReadAsync(c =>
    {
        using var cmd = Command(c, null, "SELECT version, epoch, state FROM orch_grain_state WHERE grain_type = @t AND grain_key = @k", ("t", grain.Type), ("k", grain.Key));
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? new GrainStateRecord(grain, reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : (byte[])reader[2]) : null;
    }, cancellationToken);

    public Task<IReadOnlyDictionary<GrainId, GrainStateRecord>> ReadGrainsAsync(IReadOnlyCollection<GrainId> grains, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyDictionary<GrainId, GrainStateRecord>>(c =>
        {
            var states = new Dictionary<GrainId, GrainStateRecord>();
            using var cmd = Command(c, null, "SELECT version, epoch, state FROM orch_grain_state WHERE grain_type = @t AND grain_key = @k", ("t", ""), ("k", ""));
            foreach (var grain in grains)
            {
                cmd.Parameters["@t"].Value = grain.Type;
                cmd.Parameters["@k"].Value = grain.Key;
                using var reader = cmd.ExecuteReader();
                if (reader.Read())
                {
                    states[grain] = new GrainStateRecord(grain, reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : (byte[])reader[2]);
                }
            }
            return states;
        }, cancellationToken);

    public async Task EnqueueAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }
        await WriteAsync((c, tx) =>
        {
            InsertMessages(c, tx, messages);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        Notify();
    }

    private static void InsertMessages(SqliteConnection connection, SqliteTransaction tx, IEnumerable<OutgoingMessage> messages)
    {
        var now = Now();
        using var dedupe = Command(connection, tx, InsertDedupeSql, ("type", ""), ("key", ""), ("dedupe", ""), ("now", now));
        using var cmd = Command(connection, tx, InsertMessageSql, ("shard", 0), ("type", ""), ("key", ""), ("dedupe", ""), ("payload", Array.Empty<byte>()), ("now", now), ("visible", 0L));
        foreach (var m in messages)
        {
            dedupe.Parameters["@type"].Value = m.Target.Type;
            dedupe.Parameters["@key"].Value = m.Target.Key;
            dedupe.Parameters["@dedupe"].Value = m.DedupeKey;
            if (dedupe.ExecuteNonQuery() == 0)
            {
                continue; // a resend: its grain has seen this key
            }
            cmd.Parameters["@shard"].Value = m.Shard;
            cmd.Parameters["@type"].Value = m.Target.Type;
            cmd.Parameters["@key"].Value = m.Target.Key;
            cmd.Parameters["@dedupe"].Value = m.DedupeKey;
            cmd.Parameters["@payload"].Value = m.Payload;
            cmd.Parameters["@visible"].Value = Ms(m.VisibleAt);
            cmd.ExecuteNonQuery();
        }
    }

    public Task<IReadOnlyList<InboxMessage>> FetchAsync(IReadOnlyCollection<int> shards, long afterId, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        if (shards.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<InboxMessage>>([]);
        }
        return ReadAsync<IReadOnlyList<InboxMessage>>(c =>
        {
            using var cmd = Command(c, null,
                "SELECT msg_id, shard_id, grain_type, grain_key, dedupe_key, payload, attempts FROM orch_inbox " +
                "WHERE status = 0 AND msg_id > @after AND shard_id IN (SELECT value FROM json_each(@shards)) AND visible_at <= @now ORDER BY msg_id LIMIT @limit",
                ("after", afterId), ("shards", Json(shards)), ("now", Ms(now)), ("limit", limit));
            using var reader = cmd.ExecuteReader();
            var messages = new List<InboxMessage>();
            while (reader.Read())
            {
                messages.Add(new InboxMessage(reader.GetInt64(0), reader.GetInt32(1), new GrainId(reader.GetString(2), reader.GetString(3)),
                    reader.GetString(4), (byte[])reader[5], reader.GetInt32(6)));
            }
            return messages;
        }, cancellationToken);
    }

    public Task RecordFailureAsync(MessageFailure failure, CancellationToken cancellationToken) => WriteAsync((c, tx) =>
        Exec(c, tx, "UPDATE orch_inbox SET attempts = @a, visible_at = @v, error = @e, status = @s WHERE msg_id = @id AND status = 0",
            ("id", failure.MessageId), ("a", failure.Attempts), ("v", Ms(failure.VisibleAt)), ("e", failure.Error), ("s", failure.Dead ? 2 : 0)), cancellationToken);

    private const string DeadLetterColumns = "msg_id, grain_type, grain_key, dedupe_key, attempts, coalesce(error, ''), payload, enqueued_at, visible_at";

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken) =>
        ReadDeadLettersAsync($"SELECT {DeadLetterColumns} FROM orch_inbox WHERE status = 2 ORDER BY msg_id LIMIT @limit", "", limit, cancellationToken);

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string keyPrefix, int limit, CancellationToken cancellationToken) =>
        ReadDeadLettersAsync(
            $"SELECT {DeadLetterColumns} FROM orch_inbox WHERE status = 2 AND substr(grain_key, 1, length(@prefix)) = @prefix ORDER BY msg_id LIMIT @limit",
            keyPrefix, limit, cancellationToken);

    private Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(string sql, string keyPrefix, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<DeadLetter>>(c =>
        {
            using var cmd = Command(c, null, sql, ("limit", limit), ("prefix", keyPrefix));
            using var reader = cmd.ExecuteReader();
            var letters = new List<DeadLetter>();
            while (reader.Read())
            {
                letters.Add(new DeadLetter(reader.GetInt64(0), new GrainId(reader.GetString(1), reader.GetString(2)), reader.GetString(3), reader.GetInt32(4),
                    reader.GetString(5), Encoding.UTF8.GetString((byte[])reader[6]), At(reader.GetInt64(7)))
                {
                    ParkedAt = At(reader.GetInt64(8)),
                });
            }
            return letters;
        }, cancellationToken);

    public async Task<bool> ReplayDeadLetterAsync(long messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Re-inserted under a new id (the dedupe key moves with it), so the owner's cursor sees it at once.
        var replayed = await WriteAsync((c, tx) =>
        {
            using var read = Command(c, tx, "SELECT shard_id, grain_type, grain_key, dedupe_key, payload, enqueued_at FROM orch_inbox WHERE msg_id = @id AND status = 2", ("id", messageId));
            using var reader = read.ExecuteReader();
            if (!reader.Read())
            {
                return false;
            }
            var row = new object[6];
            reader.GetValues(row);
            reader.Close();
            Exec(c, tx, "DELETE FROM orch_inbox WHERE msg_id = @id", ("id", messageId));
            Exec(c, tx, "INSERT INTO orch_inbox (shard_id, grain_type, grain_key, dedupe_key, payload, enqueued_at, visible_at) VALUES (@s, @t, @k, @d, @p, @e, @now)",
                ("s", row[0]), ("t", row[1]), ("k", row[2]), ("d", row[3]), ("p", row[4]), ("e", row[5]), ("now", Ms(now)));
            return true;
        },
            cancellationToken).ConfigureAwait(false);
        Notify();
        return replayed;
    }

    public Task<int> PurgeDedupeKeysAsync(TimeSpan retention, int limit, CancellationToken cancellationToken) => WriteAsync((c, tx) =>
        Exec(c, tx,
            "DELETE FROM orch_dedupe WHERE (grain_type, grain_key, dedupe_key) IN (SELECT grain_type, grain_key, dedupe_key FROM orch_dedupe WHERE created_at < @cutoff LIMIT @limit)",
            ("cutoff", Now() - (long)retention.TotalMilliseconds), ("limit", limit)), cancellationToken);

    public Task<long> CountPendingAsync(IReadOnlyCollection<int> shards, CancellationToken cancellationToken) => ReadAsync(c =>
        (long)Scalar(c, null, "SELECT count(*) FROM orch_inbox WHERE status = 0 AND shard_id IN (SELECT value FROM json_each(@shards))", ("shards", Json(shards)))!,
        cancellationToken);
}
