namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Where parked messages go (<c>orch_dead_letters</c> in the database; the API lists and replays them). A sender may
/// park the same message twice (it parked it, then died before its outbox recorded that): a second park of the same
/// (<see cref="DeadLetter.Sender"/>, <see cref="DeadLetter.DedupeKey"/>) must return the first one's id and store
/// nothing, so that the receiver's notice, keyed by that id, is applied once.
/// </summary>
public interface IDeadLetterSink
{
    /// <summary>Stores the letter (or finds it stored) and returns its id.</summary>
    Task<long> ParkAsync(DeadLetter letter, CancellationToken cancellationToken = default);
}

/// <summary>
/// A parked message: who sent it, to which grain (<see cref="Target"/> is the Orleans grain id, type/key), which method
/// of which interface with which arguments (JSON, as the outbox stored them), its dedupe key, the last error, how often
/// it was tried, when it was first sent and when it was parked. A wake-up that kept failing is parked with
/// <see cref="WakeUp"/> set, its grain as both sender and target.
/// </summary>
public sealed record DeadLetter(
    string Sender,
    string Target,
    string Interface,
    string Method,
    string ArgumentsJson,
    string DedupeKey,
    string Error,
    int Attempts,
    DateTimeOffset FirstSentAt,
    DateTimeOffset ParkedAt)
{
    /// <summary>The wake-up whose firing kept failing; null for a message.</summary>
    public string? WakeUp { get; init; }
}
