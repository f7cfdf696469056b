using Orleans;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Implemented (on its grain interface) by grains that must hear when a message to them was parked as a dead letter:
/// it kept failing until it ran out of attempts, or could not be read at all. The sender's outbox then sends one
/// notice per parked message, durably like any other message, so that the grain can end what the message was part of
/// instead of waiting for it forever; a wake-up of the grain's own that keeps failing is parked and noticed the same
/// way. A notice that itself keeps failing is parked without a notice of its own. The Orleans-era twin of
/// <c>Orchestrator.Runtime.Grains.IDeadLetterObserver</c>, same shape, so the domain grains' handling carries over.
/// </summary>
public interface IDeadLetterObserver : IGrain
{
    Task OnDeadLetter(DeadLetterNotice notice);
}
