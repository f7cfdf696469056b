namespace Orchestrator.Runtime.Persistence.DeadLetters;

/// <summary>Guard clauses both dead-letter stores apply before parking.</summary>
internal static class ParkedMessages
{
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
