using Orleans.Runtime;
using Orleans.Serialization;
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
        TimeoutException or SiloUnavailableException or OrleansMessageRejectionException => true,
        // A storage exception of the receiver's silo that Orleans could not send across (e.g. Npgsql's).
        CodecNotFoundException => true,
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
