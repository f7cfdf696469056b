using Orleans.Runtime;
using Orchestrator.Runtime.Durable;

namespace Orchestrator.Runtime.Persistence.DeadLetters;

/// <summary>
/// Where durable grains park messages (<see cref="IDeadLetterSink"/>): the database's <c>orch_dead_letters</c>, grain
/// ids split into type and key so that the API finds a run's letters by key prefix. Parking the same message again
/// (same target and dedupe key) keeps its row and id. A wake-up that kept failing is stored with
/// <see cref="WakeUpInterface"/> as its interface and the wake-up's name as its method (<see cref="WakeUpOf"/>).
/// </summary>
public sealed class DeadLetterStoreSink(IDeadLetterStore store) : IDeadLetterSink
{
    /// <summary>The interface column of a parked wake-up (no interface method was called).</summary>
    public const string WakeUpInterface = "(wake-up)";

    public static DeadLetterStoreSink On(OrchestratorDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return new DeadLetterStoreSink(database.DeadLetters);
    }

    public Task<long> ParkAsync(DeadLetter letter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var (senderType, senderKey) = Split(letter.Sender);
        var (targetType, targetKey) = Split(letter.Target);
        var message = new ParkedMessage(0, senderType, senderKey, targetType, targetKey,
            letter.WakeUp is null ? letter.Interface : WakeUpInterface, letter.WakeUp ?? letter.Method, letter.ArgumentsJson, letter.DedupeKey,
            letter.Error, letter.Attempts, letter.FirstSentAt, letter.ParkedAt);
        return store.ParkAsync(message, cancellationToken);
    }

    /// <summary>The wake-up a parked message is, or null for a call.</summary>
    public static string? WakeUpOf(ParkedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Interface == WakeUpInterface ? message.Method : null;
    }

    /// <summary>An Orleans grain id's text (<c>type/key</c>) as type and key.</summary>
    internal static (string Type, string Key) Split(string grainId)
    {
        var id = GrainId.Parse(grainId);
        return (id.Type.ToString()!, id.Key.ToString()!);
    }
}
