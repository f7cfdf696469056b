using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Reporting;

namespace Orchestrator.Agent.Execution;

/// <summary>
/// One assignment's log, outputs and progress on their way to the server: numbers chunks 0, 1, 2… as they are made
/// (stdout, stderr and the agent's own "system" lines share the sequence), masks secrets in what the agent itself
/// writes and in outputs, and remembers the count for the Finished event.
/// </summary>
internal sealed class AssignmentLog(string assignmentId, ReportQueue queue, SecretMasker masker, TimeProvider timeProvider)
{
    public const string SystemStream = "system";

    private readonly Lock gate = new();
    private readonly Dictionary<string, string> outputs = new(StringComparer.Ordinal);
    private long nextSeq;

    public string AssignmentId { get; } = assignmentId;

    public SecretMasker Masker { get; } = masker;

    public ReportQueue Queue { get; } = queue;

    public long ChunkCount
    {
        get
        {
            lock (gate)
            {
                return nextSeq;
            }
        }
    }

    /// <summary>Adds a chunk of already masked text.</summary>
    public void Append(string stream, string text)
    {
        if (text.Length == 0)
        {
            return;
        }
        lock (gate)
        {
            // Numbered and queued under one lock, so the queue holds each assignment's chunks in sequence order.
            Queue.AddChunk(new LogChunkDto(AssignmentId, nextSeq++, timeProvider.GetUtcNow(), stream, text));
        }
    }

    /// <summary>A line from the agent itself (why it killed a script, a checksum mismatch…).</summary>
    public void System(string message) => Append(SystemStream, Masker.Apply(message) + "\n");

    public void SetOutput(string name, string value)
    {
        lock (gate)
        {
            outputs[name] = Masker.Apply(value);
        }
    }

    public void Progress(int percent, string? message) =>
        Queue.AddEvent(new AgentEvent
        {
            AssignmentId = AssignmentId,
            Type = AgentEventType.Progress,
            At = timeProvider.GetUtcNow(),
            Percent = percent,
            Message = message is null ? null : Masker.Apply(message),
        });

    /// <summary>The outputs set so far, or null when there are none.</summary>
    public IReadOnlyDictionary<string, string>? Outputs()
    {
        lock (gate)
        {
            return outputs.Count == 0 ? null : new Dictionary<string, string>(outputs, StringComparer.Ordinal);
        }
    }
}
