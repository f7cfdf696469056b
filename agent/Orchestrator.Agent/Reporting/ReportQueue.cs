using Orchestrator.Agent.Hosting;
using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Reporting;

/// <summary>
/// Log chunks and events waiting for the server's acknowledgement, in the order they were made. Nothing leaves this
/// queue until the server acknowledged it, so an API restart loses nothing; chunks carry their sequence number, so a
/// resend after a lost acknowledgement does not double them. A Finished event waits until every chunk of its
/// assignment is acknowledged; the other events of an assignment never overtake an earlier one.
/// </summary>
internal sealed class ReportQueue(long maxPendingChars)
{
    public const int MaxChunksPerBatch = 1000;
    public const int MaxCharsPerBatch = 1024 * 1024;
    public const int MaxEventsPerBatch = 1000;

    private readonly Lock gate = new();
    private readonly Queue<LogChunkDto> chunks = new();
    private readonly Dictionary<string, int> pendingChunksByAssignment = new(StringComparer.Ordinal);
    private readonly LinkedList<PendingEvent> events = new();
    private readonly Dictionary<string, LinkedListNode<PendingEvent>> lastEventByAssignment = new(StringComparer.Ordinal);
    private readonly AsyncSignal room = new();
    private long pendingChars;

    /// <summary>Set whenever something was added; the sender waits on it.</summary>
    public AsyncSignal Added { get; } = new();

    public void AddChunk(LogChunkDto chunk)
    {
        lock (gate)
        {
            chunks.Enqueue(chunk);
            pendingChunksByAssignment[chunk.AssignmentId] = pendingChunksByAssignment.GetValueOrDefault(chunk.AssignmentId) + 1;
            pendingChars += chunk.Text.Length;
        }
        Added.Set();
    }

    /// <summary>Waits while more output than allowed is waiting for acknowledgement, so a chatty script is throttled
    /// (its pipe fills and it blocks) instead of the agent's memory growing without bound during an outage.</summary>
    public async Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (gate)
            {
                if (pendingChars < maxPendingChars)
                {
                    return;
                }
            }
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Queues an event; <paramref name="onAcknowledged"/> runs once the server stored it. A Progress event
    /// replaces the assignment's previous one while that one is still waiting, so a script that reports progress in
    /// a tight loop sends only the latest.</summary>
    public void AddEvent(AgentEvent agentEvent, Action? onAcknowledged = null)
    {
        lock (gate)
        {
            if (agentEvent.Type == AgentEventType.Progress
                && lastEventByAssignment.TryGetValue(agentEvent.AssignmentId, out var last)
                && last.Value is { InFlight: false, Event.Type: AgentEventType.Progress })
            {
                last.Value = new PendingEvent(agentEvent, onAcknowledged);
            }
            else
            {
                lastEventByAssignment[agentEvent.AssignmentId] = events.AddLast(new PendingEvent(agentEvent, onAcknowledged));
            }
        }
        Added.Set();
    }

    /// <summary>The oldest chunks, up to the batch limits; they stay queued until <see cref="AcknowledgeChunks"/>.</summary>
    public IReadOnlyList<LogChunkDto> PeekChunks()
    {
        lock (gate)
        {
            var batch = new List<LogChunkDto>(Math.Min(chunks.Count, MaxChunksPerBatch));
            var chars = 0;
            foreach (var chunk in chunks)
            {
                if (batch.Count == MaxChunksPerBatch || (batch.Count > 0 && chars + chunk.Text.Length > MaxCharsPerBatch))
                {
                    break;
                }
                batch.Add(chunk);
                chars += chunk.Text.Length;
            }
            return batch;
        }
    }

    /// <summary>The server stored the first <paramref name="count"/> chunks.</summary>
    public void AcknowledgeChunks(int count)
    {
        lock (gate)
        {
            for (var i = 0; i < count; i++)
            {
                var chunk = chunks.Dequeue();
                pendingChars -= chunk.Text.Length;
                var left = pendingChunksByAssignment[chunk.AssignmentId] - 1;
                if (left == 0)
                {
                    pendingChunksByAssignment.Remove(chunk.AssignmentId);
                }
                else
                {
                    pendingChunksByAssignment[chunk.AssignmentId] = left;
                }
            }
        }
        room.Set();
    }

    /// <summary>The events that may go now, oldest first, marked in flight until <see cref="AcknowledgeEvents"/>.</summary>
    public IReadOnlyList<LinkedListNode<PendingEvent>> TakeEvents()
    {
        lock (gate)
        {
            var batch = new List<LinkedListNode<PendingEvent>>();
            HashSet<string>? blocked = null;
            for (var node = events.First; node is not null && batch.Count < MaxEventsPerBatch; node = node.Next)
            {
                var id = node.Value.Event.AssignmentId;
                if (blocked?.Contains(id) == true)
                {
                    continue;
                }
                if (node.Value.Event.Type == AgentEventType.Finished && pendingChunksByAssignment.ContainsKey(id))
                {
                    (blocked ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);
                    continue;
                }
                node.Value.InFlight = true;
                batch.Add(node);
            }
            return batch;
        }
    }

    /// <summary>The server stored <paramref name="batch"/>; runs their acknowledgement callbacks.</summary>
    public void AcknowledgeEvents(IReadOnlyList<LinkedListNode<PendingEvent>> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (gate)
        {
            foreach (var node in batch)
            {
                var id = node.Value.Event.AssignmentId;
                if (lastEventByAssignment.TryGetValue(id, out var last) && last == node)
                {
                    lastEventByAssignment.Remove(id);
                }
                events.Remove(node);
            }
        }
        foreach (var node in batch)
        {
            node.Value.OnAcknowledged?.Invoke();
        }
    }
}

/// <summary>An event waiting for acknowledgement.</summary>
internal sealed class PendingEvent(AgentEvent agentEvent, Action? onAcknowledged)
{
    public AgentEvent Event { get; } = agentEvent;

    public Action? OnAcknowledged { get; } = onAcknowledged;

    public bool InFlight { get; set; }
}
