namespace Orchestrator.Runtime.Grains;

/// <summary>
/// Implemented by grains that must hear when one of their own messages was parked as a dead letter (it kept throwing
/// until it ran out of attempts, or could not be read at all). The runtime then delivers one notice per parked message,
/// as a turn of that grain like any other, so that the grain can end what the message was part of instead of waiting
/// for it forever. A notice that itself keeps failing is parked without a notice of its own. Grains that do not
/// implement it hear nothing (the message stays listed among the dead letters, as always).
/// </summary>
public interface IDeadLetterObserver
{
    Task OnDeadLetter(DeadLetterNotice notice);
}

/// <summary>
/// A message of this grain that was parked: its id among the dead letters, what it asked (<see cref="Method"/> of a
/// grain interface, or the tick of <see cref="Reminder"/>), the last error, how often it was tried and when it was
/// parked.
/// </summary>
public sealed record DeadLetterNotice(long MessageId, string Method, string Error, int Attempts, DateTimeOffset ParkedAt)
{
    /// <summary>The reminder whose tick failed; null for a call (then <see cref="Method"/> is <c>ReceiveReminder</c>).</summary>
    public string? Reminder { get; init; }

    /// <summary>The failed call's arguments, read back; empty for a reminder tick or when they could not be read.</summary>
    public IReadOnlyList<object?> Arguments { get; init; } = [];

    /// <summary>The first argument of type <typeparamref name="T"/>, if the failed call had one.</summary>
    public T? Argument<T>()
        where T : class =>
        Arguments.OfType<T>().FirstOrDefault();
}
