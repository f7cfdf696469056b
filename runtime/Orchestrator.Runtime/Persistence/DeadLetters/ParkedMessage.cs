namespace Orchestrator.Runtime.Persistence.DeadLetters;

/// <summary>
/// An outbox message that kept failing, parked in <c>orch_dead_letters</c> (ARCHITECTURE G7): who sent it, the grain
/// and method it was for with its arguments (JSON, our options), its dedupe key, the last error, how often it was
/// tried, and when it was first sent and parked (the sender's clock). <see cref="Id"/> is assigned by the store.
/// </summary>
public sealed record ParkedMessage(
    long Id,
    string SenderType,
    string SenderKey,
    string TargetType,
    string TargetKey,
    string Interface,
    string Method,
    string ArgsJson,
    string DedupeKey,
    string Error,
    int Attempts,
    DateTimeOffset FirstSentAt,
    DateTimeOffset ParkedAt);
