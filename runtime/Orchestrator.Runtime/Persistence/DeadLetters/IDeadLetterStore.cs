namespace Orchestrator.Runtime.Persistence.DeadLetters;

/// <summary>
/// Parked outbox messages. The durable messaging layer parks a message after its last delivery attempt and deletes
/// it when an operator replays it (re-sending under the same dedupe key, so a receiver that did apply it skips it).
/// </summary>
public interface IDeadLetterStore
{
    /// <summary>
    /// Parks a message (its <see cref="ParkedMessage.Id"/> is ignored) and returns its id. Parking a message again
    /// (same target and dedupe key) keeps one row: its error, attempts and parked time are updated, its id kept.
    /// </summary>
    Task<long> ParkAsync(ParkedMessage message, CancellationToken cancellationToken = default);

    /// <summary>Every parked message with an id above <paramref name="afterId"/>, oldest first (keyset paging).</summary>
    Task<IReadOnlyList<ParkedMessage>> ListAsync(long afterId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The parked messages for grains (of any type) whose key starts with <paramref name="targetKeyPrefix"/> (ordinal),
    /// with an id above <paramref name="afterId"/>, oldest first: a task instance's own and its steps' and targets'.
    /// </summary>
    Task<IReadOnlyList<ParkedMessage>> ListByTargetKeyPrefixAsync(string targetKeyPrefix, long afterId, int limit, CancellationToken cancellationToken = default);

    Task<ParkedMessage?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Deletes a parked message; false if there was none with this id.</summary>
    Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default);
}
