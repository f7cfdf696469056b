using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Reporting;

/// <summary>
/// A report (an event or a log chunk) waiting for the server's acknowledgement, with what the sender learned about
/// it: whether it is in a request right now, how often the server failed it, and whether it is set aside (parked)
/// to be retried alone while the reports behind it flow.
/// </summary>
internal abstract class PendingReport
{
    public abstract string AssignmentId { get; }

    /// <summary>How the item is named in the agent's own log.</summary>
    public abstract string Describe();

    /// <summary>In a request whose answer has not been applied yet.</summary>
    public bool InFlight { get; set; }

    /// <summary>Answers 500 (or "failed" in a 200) that included this item.</summary>
    public int ServerErrors { get; set; }

    /// <summary>When the server first failed this item (the agent's clock).</summary>
    public DateTimeOffset? FirstFailureAt { get; set; }

    /// <summary>Set aside until this time, to be retried alone; null while it goes in batches.</summary>
    public DateTimeOffset? ParkedUntil { get; set; }

    /// <summary>Attempts made alone since it was parked.</summary>
    public int ParkedAttempts { get; set; }

    public bool IsParked => ParkedUntil is not null;

    /// <summary>True for the replacement the agent made for a refused item. A replacement is never replaced again,
    /// except a Finished event's, whose refusal brings the last resort (<see cref="PendingEvent.IsLastResort"/>).</summary>
    public bool IsReplacement { get; init; }

    /// <summary>Forgets the failures: the item goes in batches again.</summary>
    public void Unpark()
    {
        ParkedUntil = null;
        ParkedAttempts = 0;
    }
}

/// <summary>An event waiting for acknowledgement; <see cref="OnAcknowledged"/> runs once it is stored (or given up).</summary>
internal sealed class PendingEvent(AgentEvent agentEvent, Action? onAcknowledged) : PendingReport
{
    public AgentEvent Event { get; set; } = agentEvent;

    public Action? OnAcknowledged { get; } = onAcknowledged;

    public LinkedListNode<PendingEvent>? Node { get; set; }

    /// <summary>
    /// True for the last form of a Finished event the agent makes after refusals (<see cref="ReportQueue.GiveUp"/>):
    /// nothing but what the gateway cannot refuse unless the assignment id itself is bad. It is never replaced again,
    /// and it carries no <c>logChunks</c>.
    /// </summary>
    public bool IsLastResort { get; init; }

    public override string AssignmentId => Event.AssignmentId;

    public override string Describe() => $"{Event.Type} event of {Event.AssignmentId}";
}

/// <summary>A log chunk waiting for acknowledgement.</summary>
internal sealed class PendingChunk(LogChunkDto chunk) : PendingReport
{
    public LogChunkDto Chunk { get; } = chunk;

    public LinkedListNode<PendingChunk>? Node { get; set; }

    public override string AssignmentId => Chunk.AssignmentId;

    public override string Describe() => $"log chunk {Chunk.Seq} of {Chunk.AssignmentId}";
}
