using Orchestrator.Agent.Hosting;
using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Reporting;

/// <summary>
/// Log chunks and events waiting for the server's acknowledgement, in the order they were made. Nothing leaves this
/// queue until the server stored it or refused it (then a marker takes its place, see ReportQueue.Outcomes.cs), so an
/// API restart loses nothing; chunks carry their sequence number (numbered here, per assignment), so a resend after a
/// lost acknowledgement does not double them. A Finished event waits until every chunk of its assignment is
/// acknowledged and then reports how many there were; the other events of an assignment never overtake an earlier one.
/// Items the server keeps failing are parked: set aside and retried alone, so they do not hold up the rest.
/// </summary>
internal sealed partial class ReportQueue(long maxPendingChars, TimeProvider timeProvider)
{
    public const int MaxChunksPerBatch = ProtocolLimits.MaxChunksPerRequest;
    public const int MaxCharsPerBatch = 1024 * 1024;
    public const int MaxEventsPerBatch = ProtocolLimits.MaxEventsPerRequest;

    private readonly Lock gate = new();
    private readonly LinkedList<PendingChunk> chunks = new();
    private readonly LinkedList<PendingEvent> events = new();
    private readonly Dictionary<string, AssignmentReports> assignments = new(StringComparer.Ordinal);
    private readonly List<PendingReport> parked = [];
    private readonly AsyncSignal room = new();
    private long pendingChars;

    /// <summary>Set whenever something was added or became sendable; the sender waits on it.</summary>
    public AsyncSignal Added { get; } = new();

    /// <summary>Numbers and queues a chunk of an assignment's log (text cleaned, <see cref="ProtocolText"/>); returns its seq.</summary>
    public long AppendChunk(string assignmentId, string stream, string text)
    {
        long seq;
        lock (gate)
        {
            seq = AppendLocked(assignmentId, stream, ProtocolText.Clean(text), timeProvider.GetUtcNow());
        }
        Added.Set();
        return seq;
    }

    /// <summary>Queues a chunk numbered by the caller; later chunks of its assignment are numbered after it.</summary>
    public void AddChunk(LogChunkDto chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        lock (gate)
        {
            var state = State(chunk.AssignmentId);
            state.NextSeq = Math.Max(state.NextSeq, chunk.Seq + 1);
            EnqueueLocked(new PendingChunk(chunk with { Text = ProtocolText.Clean(chunk.Text) }), state);
        }
        Added.Set();
    }

    /// <summary>Chunks numbered so far for the assignment (markers for refused items included).</summary>
    public long ChunkCount(string assignmentId)
    {
        lock (gate)
        {
            return assignments.TryGetValue(assignmentId, out var state) ? state.NextSeq : 0;
        }
    }

    /// <summary>Every chunk still waiting, in queue order (for tests and diagnostics).</summary>
    public IReadOnlyList<LogChunkDto> PendingChunks()
    {
        lock (gate)
        {
            return [.. chunks.Select(c => c.Chunk)];
        }
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

    /// <summary>Queues an event (its message cleaned and cut to the protocol's limit); <paramref name="onAcknowledged"/>
    /// runs once the server stored it, or once the agent gave up on it. A Progress event replaces the assignment's
    /// previous one while that one is still waiting, so a script that reports progress in a tight loop sends only
    /// the latest.</summary>
    public void AddEvent(AgentEvent agentEvent, Action? onAcknowledged = null)
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
        if (agentEvent.Message is { } message)
        {
            agentEvent = agentEvent with { Message = ProtocolText.Truncate(ProtocolText.Clean(message), ProtocolLimits.MaxMessageChars) };
        }
        lock (gate)
        {
            var state = State(agentEvent.AssignmentId);
            if (agentEvent.Type == AgentEventType.Progress
                && state.LastEvent?.Value is { InFlight: false, IsParked: false, Event.Type: AgentEventType.Progress } last)
            {
                last.Event = agentEvent;
            }
            else
            {
                var pending = new PendingEvent(agentEvent, onAcknowledged);
                pending.Node = events.AddLast(pending);
                state.LastEvent = pending.Node;
            }
        }
        Added.Set();
    }

    /// <summary>The oldest events that may go now, up to <paramref name="limit"/>, marked in flight until their answer
    /// is applied. A Finished event gets its assignment's chunk count.</summary>
    public IReadOnlyList<PendingEvent> TakeEvents(int limit = MaxEventsPerBatch)
    {
        lock (gate)
        {
            var batch = new List<PendingEvent>();
            HashSet<string>? blocked = null;
            for (var node = events.First; node is not null && batch.Count < limit; node = node.Next)
            {
                var pending = node.Value;
                var id = pending.AssignmentId;
                if (blocked?.Contains(id) == true)
                {
                    continue;
                }
                if (pending.InFlight || pending.IsParked
                    || (pending.Event.Type == AgentEventType.Finished && assignments.TryGetValue(id, out var waiting) && waiting.PendingChunks > 0))
                {
                    (blocked ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);
                    continue;
                }
                Counted(pending);
                pending.InFlight = true;
                batch.Add(pending);
            }
            return batch;
        }
    }

    /// <summary>The oldest chunks that may go now, up to <paramref name="limit"/> and the batch's size in characters,
    /// marked in flight until their answer is applied.</summary>
    public IReadOnlyList<PendingChunk> TakeChunks(int limit = MaxChunksPerBatch)
    {
        lock (gate)
        {
            var batch = new List<PendingChunk>(Math.Min(chunks.Count, limit));
            var chars = 0;
            foreach (var pending in chunks)
            {
                if (pending.InFlight || pending.IsParked)
                {
                    continue;
                }
                var length = pending.Chunk.Text.Length;
                if (batch.Count == limit || (batch.Count > 0 && chars + length > MaxCharsPerBatch))
                {
                    break;
                }
                pending.InFlight = true;
                batch.Add(pending);
                chars += length;
            }
            return batch;
        }
    }

    /// <summary>A parked item whose time to be retried has come, marked in flight; null when none is due.</summary>
    public PendingReport? TakeDueParked()
    {
        var now = timeProvider.GetUtcNow();
        lock (gate)
        {
            foreach (var pending in parked)
            {
                if (!pending.InFlight && pending.ParkedUntil <= now)
                {
                    if (pending is PendingEvent e)
                    {
                        Counted(e);
                    }
                    pending.InFlight = true;
                    return pending;
                }
            }
            return null;
        }
    }

    /// <summary>How long until the next parked item is due; null when none is parked.</summary>
    public TimeSpan? UntilNextParked()
    {
        lock (gate)
        {
            if (parked.Count == 0)
            {
                return null;
            }
            var next = parked.Min(p => p.ParkedUntil!.Value);
            var wait = next - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
    }

    /// <summary>Parked events (or chunks) that first failed after <paramref name="lastSuccess"/>: those the server
    /// may be failing because it fails everything, not because of themselves.</summary>
    public int ParkedWithoutSuccessSince(bool events, DateTimeOffset? lastSuccess)
    {
        lock (gate)
        {
            return parked.Count(p => (p is PendingEvent) == events && (lastSuccess is null || p.FirstFailureAt > lastSuccess));
        }
    }

    /// <summary>A Finished event reports every chunk numbered for its assignment, markers included (a last resort
    /// reports nothing it does not have to).</summary>
    private void Counted(PendingEvent pending)
    {
        if (pending.Event.Type == AgentEventType.Finished && !pending.IsLastResort
            && assignments.TryGetValue(pending.AssignmentId, out var state) && state.NextSeq > 0)
        {
            pending.Event = pending.Event with { LogChunks = state.NextSeq };
        }
    }

    private long AppendLocked(string assignmentId, string stream, string text, DateTimeOffset at)
    {
        var state = State(assignmentId);
        var seq = state.NextSeq++;
        EnqueueLocked(new PendingChunk(new LogChunkDto(assignmentId, seq, at, stream, text)), state);
        return seq;
    }

    private void EnqueueLocked(PendingChunk pending, AssignmentReports state)
    {
        pending.Node = chunks.AddLast(pending);
        state.PendingChunks++;
        pendingChars += pending.Chunk.Text.Length;
    }

    private AssignmentReports State(string assignmentId)
    {
        if (!assignments.TryGetValue(assignmentId, out var state))
        {
            assignments[assignmentId] = state = new AssignmentReports();
        }
        return state;
    }

    /// <summary>What the queue knows of one assignment until its Finished event is acknowledged.</summary>
    private sealed class AssignmentReports
    {
        public long NextSeq { get; set; }

        public int PendingChunks { get; set; }

        public LinkedListNode<PendingEvent>? LastEvent { get; set; }
    }
}
