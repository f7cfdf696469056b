namespace Orchestrator.Runtime.Persistence.DeadLetters;

/// <summary>What both dead-letter stores share: their statements and the guard clauses applied before parking.</summary>
internal static class ParkedMessages
{
    /// <summary>The columns every read selects, in the order the readers expect.</summary>
    public const string Columns =
        "id, sender_type, sender_key, target_type, target_key, interface, method, args, dedupe_key, error, attempts, first_sent_at, parked_at";

    /// <summary>
    /// Parks a message, or updates the one parked under the same (target, dedupe key), returning its id: the same
    /// statement on both stores.
    /// </summary>
    public const string ParkSql = """
        INSERT INTO orch_dead_letters (sender_type, sender_key, target_type, target_key, interface, method, args, dedupe_key, error, attempts, first_sent_at, parked_at)
        VALUES (@sender_type, @sender_key, @target_type, @target_key, @interface, @method, @args, @dedupe_key, @error, @attempts, @first_sent_at, @parked_at)
        ON CONFLICT (target_type, target_key, dedupe_key) DO UPDATE SET sender_type = excluded.sender_type, sender_key = excluded.sender_key,
            interface = excluded.interface, method = excluded.method, args = excluded.args, error = excluded.error,
            attempts = excluded.attempts, parked_at = excluded.parked_at
        RETURNING id
        """;

    public static void Validate(ParkedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(message.SenderType, nameof(message) + "." + nameof(message.SenderType));
        ArgumentNullException.ThrowIfNull(message.SenderKey, nameof(message) + "." + nameof(message.SenderKey));
        ArgumentException.ThrowIfNullOrEmpty(message.TargetType, nameof(message) + "." + nameof(message.TargetType));
        ArgumentNullException.ThrowIfNull(message.TargetKey, nameof(message) + "." + nameof(message.TargetKey));
        ArgumentException.ThrowIfNullOrEmpty(message.Interface, nameof(message) + "." + nameof(message.Interface));
        ArgumentException.ThrowIfNullOrEmpty(message.Method, nameof(message) + "." + nameof(message.Method));
        ArgumentNullException.ThrowIfNull(message.ArgsJson, nameof(message) + "." + nameof(message.ArgsJson));
        // The dedupe key is what makes parking twice, and replaying, safe: a message without one cannot be parked.
        ArgumentException.ThrowIfNullOrEmpty(message.DedupeKey, nameof(message) + "." + nameof(message.DedupeKey));
        ArgumentNullException.ThrowIfNull(message.Error, nameof(message) + "." + nameof(message.Error));
    }
}
