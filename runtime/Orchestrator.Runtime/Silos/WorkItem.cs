using Orchestrator.Runtime.Messaging;

namespace Orchestrator.Runtime.Silos;

/// <summary>Something an activation's mailbox holds: a stored message, a timer tick, or the order to deactivate.</summary>
internal abstract record WorkItem
{
    public sealed record Deliver(InboxMessage Message) : WorkItem;

    public sealed record TimerTick(Func<CancellationToken, Task> Callback) : WorkItem;

    public sealed record Deactivate(Grains.DeactivationReason Reason, TaskCompletionSource Done) : WorkItem;
}
