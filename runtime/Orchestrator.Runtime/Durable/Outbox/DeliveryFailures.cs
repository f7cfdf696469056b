using Orchestrator.Runtime.Persistence.GrainState;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Which delivery failures say "the receiver could not be reached or could not persist, try again later" rather than
/// "the receiver refused this message": a database outage, a silo going away, a call timing out. Such failures do not
/// park a message before <see cref="DurableOptions.TransientFailureTolerance"/>: a passing outage must not fail runs.
/// </summary>
public static class DeliveryFailures
{
    public static bool IsTransient(Exception failure) => failure switch
    {
        DurableWriteException or InconsistentStateException => true,
        // The receiver could not read or write its state or index rows (its activation failed, or a database call of
        // its own): it decided nothing about the message. Transient whatever the store's own flag says: a failure the store
        // calls permanent (a dropped table, a full disk) is an outage to fix, not a refusal of this message, and
        // TransientFailureTolerance still parks the message if it lasts.
        GrainStorageException => true,
        TimeoutException or SiloUnavailableException or OrleansMessageRejectionException => true,
        AggregateException { InnerExceptions.Count: > 0 } aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => false,
    };

    /// <summary>
    /// Whether a message (or wake-up) that has now failed <paramref name="attempts"/> times, failing since
    /// <paramref name="failingSince"/>, is parked: after the attempt limit, and for a transient failure only once it
    /// has also lasted the tolerance.
    /// </summary>
    public static bool ShouldPark(Exception failure, int attempts, DateTimeOffset failingSince, DateTimeOffset now, DurableOptions options) =>
        attempts >= options.MaxDeliveryAttempts
        && (!IsTransient(failure) || now - failingSince >= options.TransientFailureTolerance);
}
