using Orchestrator.Agent.Execution;
using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Reporting;

/// <summary>
/// What becomes of items after a request: stored (gone), sent again (back in line), parked (set aside, retried
/// alone), or given up. An item is given up when the server refused it, or when it kept failing on its own while
/// other reports were stored (quarantined); either way a marker in the assignment's log says so. A chunk is replaced
/// by a marker at its own seq, so the log keeps no gap; a Finished event is sent again without its outputs, progress
/// message and start time (so the target still ends), and if that is refused too, once more as the last resort: outcome
/// error, a fixed message and the current time, nothing else, which the gateway refuses only for a bad assignment id;
/// any other event is dropped, with a marker chunk if its assignment's log is still open. Any other replacement that
/// is refused too, and a refused last resort, is dropped.
/// </summary>
internal sealed partial class ReportQueue
{
    /// <summary>The server stored these items.</summary>
    public void Acknowledge(IEnumerable<PendingReport> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        List<Action>? callbacks = null;
        lock (gate)
        {
            foreach (var item in items)
            {
                if (RemoveLocked(item) is { } callback)
                {
                    (callbacks ??= []).Add(callback);
                }
            }
        }
        room.Set();
        Added.Set();
        foreach (var callback in callbacks ?? [])
        {
            callback();
        }
    }

    /// <summary>These items were not stored and go again in the next batches (parked ones stay parked).</summary>
    public void Release(IEnumerable<PendingReport> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        lock (gate)
        {
            foreach (var item in items)
            {
                item.InFlight = false;
            }
        }
        Added.Set();
    }

    /// <summary>Sets an item aside until <paramref name="until"/>; it is then retried alone.</summary>
    public void Park(PendingReport item, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (gate)
        {
            item.InFlight = false;
            if (!item.IsParked)
            {
                parked.Add(item);
            }
            item.ParkedUntil = until;
        }
        Added.Set();
    }

    /// <summary>
    /// Gives up on an item the server will not store, with <paramref name="reason"/> in the marker that replaces it.
    /// Returns what was done, for the agent's own log.
    /// </summary>
    public string GiveUp(PendingReport item, string reason)
    {
        ArgumentNullException.ThrowIfNull(item);
        string done;
        Action? callback = null;
        lock (gate)
        {
            if (item.IsParked)
            {
                parked.Remove(item);
                item.Unpark();
            }
            item.InFlight = false;
            switch (item)
            {
                case PendingChunk chunk when !chunk.IsReplacement:
                    var original = chunk.Chunk;
                    var marker = new PendingChunk(original with
                    {
                        Stream = AssignmentLog.SystemStream,
                        Text = Marker($"log chunk {original.Seq} ({original.Text.Length} characters of {original.Stream}) was dropped: {reason}"),
                    }) { IsReplacement = true };
                    pendingChars += marker.Chunk.Text.Length - original.Text.Length;
                    marker.Node = chunk.Node;
                    chunk.Node!.Value = marker;
                    done = "replaced it by a marker";
                    break;
                case PendingEvent { IsLastResort: false, Event.Type: AgentEventType.Finished } finished:
                    var e = finished.Event;
                    var now = timeProvider.GetUtcNow();
                    PendingEvent fallback;
                    if (!finished.IsReplacement)
                    {
                        fallback = new PendingEvent(e with
                        {
                            Outputs = null,
                            Percent = null,
                            StartedAt = null,
                            Message = ProtocolText.Truncate($"The agent's finished report was refused and sent again without outputs: {reason}", ProtocolLimits.MaxMessageChars),
                        }, finished.OnAcknowledged) { IsReplacement = true, Node = finished.Node };
                        AppendLocked(e.AssignmentId, AssignmentLog.SystemStream,
                            Marker($"the finished event was refused ({reason}); it was sent again without outputs, progress message and start time"), now);
                        done = "sends it again without outputs";
                    }
                    else
                    {
                        fallback = new PendingEvent(LastResort(e.AssignmentId, now), finished.OnAcknowledged) { IsReplacement = true, IsLastResort = true, Node = finished.Node };
                        AppendLocked(e.AssignmentId, AssignmentLog.SystemStream,
                            Marker($"the finished event was refused again ({reason}); it was sent once more with outcome error and nothing else, so the target ends"), now);
                        done = "sends it once more with outcome error and nothing else";
                    }
                    finished.Node!.Value = fallback;
                    if (assignments.TryGetValue(e.AssignmentId, out var state) && state.LastEvent == finished.Node)
                    {
                        state.LastEvent = fallback.Node;
                    }
                    break;
                default:
                    callback = RemoveLocked(item);
                    if (item is PendingEvent { IsReplacement: false } dropped && assignments.ContainsKey(dropped.AssignmentId))
                    {
                        AppendLocked(dropped.AssignmentId, AssignmentLog.SystemStream,
                            Marker($"the {dropped.Event.Type.ToString().ToLowerInvariant()} event was dropped: {reason}"), timeProvider.GetUtcNow());
                    }
                    done = item is PendingEvent { IsLastResort: true }
                        ? "dropped it: the server refused even the bare finished report, so the target does not end by this agent's report but by its timeout, a cancel, or the host's liveness check"
                        : "dropped it";
                    break;
            }
        }
        room.Set();
        Added.Set();
        callback?.Invoke();
        return done;
    }

    /// <summary>Takes a stored (or given up) item out of the queue; returns its acknowledgement callback.</summary>
    private Action? RemoveLocked(PendingReport item)
    {
        item.InFlight = false;
        if (item.IsParked)
        {
            parked.Remove(item);
            item.Unpark();
        }
        switch (item)
        {
            case PendingChunk chunk when chunk.Node?.List is not null:
                chunks.Remove(chunk.Node);
                pendingChars -= chunk.Chunk.Text.Length;
                if (assignments.TryGetValue(chunk.AssignmentId, out var state))
                {
                    state.PendingChunks--;
                }
                return null;
            case PendingEvent pending when pending.Node?.List is not null:
                events.Remove(pending.Node);
                if (assignments.TryGetValue(pending.AssignmentId, out var owner))
                {
                    if (owner.LastEvent == pending.Node)
                    {
                        owner.LastEvent = null;
                    }
                    if (pending.Event.Type == AgentEventType.Finished)
                    {
                        // The assignment is over on both sides: nothing more is numbered or reported for it.
                        assignments.Remove(pending.AssignmentId);
                    }
                }
                return pending.OnAcknowledged;
            default:
                return null;
        }
    }

    /// <summary>The message of a last-resort Finished event: fixed, short, ASCII.</summary>
    public const string LastResortMessage =
        "The agent's finished report was refused twice by the server; this one stands in for it and does not carry the real outcome (see the log).";

    /// <summary>
    /// A Finished event with nothing in it the gateway could refuse but the assignment id: outcome error, a fixed
    /// message, the current time; no exit code, outputs, start time or chunk count.
    /// </summary>
    private static AgentEvent LastResort(string assignmentId, DateTimeOffset now) => new()
    {
        AssignmentId = assignmentId,
        Type = AgentEventType.Finished,
        At = now,
        Outcome = AgentOutcome.Error,
        Message = LastResortMessage,
    };

    private static string Marker(string what) => ProtocolText.Clean($"[orchestrator-agent: {what}]\n");
}
