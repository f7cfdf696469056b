using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Reporting;

namespace Orchestrator.Agent.Execution;

/// <summary>
/// One assignment's log, outputs and progress on their way to the server: chunks are numbered 0, 1, 2… by the
/// <see cref="ReportQueue"/> (stdout, stderr and the agent's own "system" lines share the sequence, as do markers for
/// reports the server refused), text is cleaned (<see cref="ProtocolText"/>: NUL shown as U+2400, lone surrogates as
/// U+FFFD), secrets are masked in what the agent itself writes and in outputs, and outputs are kept within the
/// protocol's limits (one that is not is left out, with a system line saying why).
/// </summary>
internal sealed class AssignmentLog(string assignmentId, ReportQueue queue, SecretMasker masker, TimeProvider timeProvider)
{
    public const string SystemStream = "system";

    private readonly Lock gate = new();
    private readonly Dictionary<string, string> outputs = new(StringComparer.Ordinal);
    private long outputChars;

    public string AssignmentId { get; } = assignmentId;

    public SecretMasker Masker { get; } = masker;

    public ReportQueue Queue { get; } = queue;

    /// <summary>Chunks numbered so far.</summary>
    public long ChunkCount => Queue.ChunkCount(AssignmentId);

    /// <summary>Adds a chunk of already masked text.</summary>
    public void Append(string stream, string text)
    {
        if (text.Length == 0)
        {
            return;
        }
        Queue.AppendChunk(AssignmentId, stream, text);
    }

    /// <summary>A line from the agent itself (why it killed a script, a checksum mismatch…).</summary>
    public void System(string message) => Append(SystemStream, Masker.Apply(message) + "\n");

    /// <summary>
    /// Sets an output (the last value wins). One the protocol would refuse — a name that is not 1 to 128 letters,
    /// digits, '-', '_' or '.', a value over 64 Ki characters, more than 100 outputs or 256 Ki characters in all — is
    /// left out, and a system line says so.
    /// </summary>
    public void SetOutput(string name, string value)
    {
        var masked = ProtocolText.Clean(Masker.Apply(value));
        string? refused = null;
        lock (gate)
        {
            var previous = outputs.TryGetValue(name, out var old) ? name.Length + old.Length : 0;
            if (!ProtocolLimits.IsOutputName(name))
            {
                refused = $"'{ProtocolNames.Shown(ProtocolText.Clean(name))}' is not an output name (1 to {ProtocolLimits.MaxOutputNameLength} letters, digits, '-', '_' or '.')";
            }
            else if (masked.Length > ProtocolLimits.MaxOutputValueChars)
            {
                refused = $"the value of '{name}' is {masked.Length} characters long, more than {ProtocolLimits.MaxOutputValueChars}";
            }
            else if (previous == 0 && outputs.Count >= ProtocolLimits.MaxOutputs)
            {
                refused = $"'{name}' would be output number {ProtocolLimits.MaxOutputs + 1}; at most {ProtocolLimits.MaxOutputs} are kept";
            }
            else if (outputChars - previous + name.Length + masked.Length > ProtocolLimits.MaxOutputsChars)
            {
                refused = $"'{name}' would take the outputs past {ProtocolLimits.MaxOutputsChars} characters in all";
            }
            else
            {
                outputs[name] = masked;
                outputChars += name.Length + masked.Length - previous;
            }
        }
        if (refused is not null)
        {
            System($"::set-output ignored: {refused}.");
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
