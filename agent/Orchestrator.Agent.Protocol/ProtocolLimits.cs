namespace Orchestrator.Agent.Protocol;

/// <summary>
/// The bounds the gateway enforces on agent requests (docs/agent-protocol.md, "Limits"). The agent stays within them
/// by construction (its batches, chunk size, output and message lengths), so a refusal means a bug or another client.
/// </summary>
public static class ProtocolLimits
{
    /// <summary>Session ids: 1 to 128 letters, digits, '-', '_', '.' or ':'. The agent sends 32 hex digits.</summary>
    public const int MaxSessionIdLength = 128;

    /// <summary>Host names: 1 to 253 characters (<see cref="ProtocolNames.IsHostName"/>).</summary>
    public const int MaxHostNameLength = 253;

    /// <summary>Hosts in one register, heartbeat or poll (a simulated fleet registers all of its hosts at once).</summary>
    public const int MaxHostsPerRequest = 1_000_000;

    /// <summary>Labels of one host; keys and values follow Kubernetes' label syntax (see <c>AgentLabels</c>).</summary>
    public const int MaxLabelsPerHost = 64;

    /// <summary>Assignments one host runs at once: 1 to this.</summary>
    public const int MaxCapacity = 10_000;

    public const int MaxAgentVersionLength = 64;

    /// <summary>A poll's <c>waitMs</c>: 0 to 5 minutes (the server waits at most its own poll wait).</summary>
    public const int MaxPollWaitMs = 300_000;

    /// <summary>A poll's <c>maxAssignments</c> and the length of its <c>running</c> list.</summary>
    public const int MaxAssignmentsPerPoll = 1_000_000;

    /// <summary>Assignment ids the server makes are far shorter; anything longer is not one.</summary>
    public const int MaxAssignmentIdLength = 512;

    /// <summary>Events in one /events request.</summary>
    public const int MaxEventsPerRequest = 1000;

    /// <summary>Chunks in one /logs request.</summary>
    public const int MaxChunksPerRequest = 1000;

    /// <summary>Characters (UTF-16 code units) of one chunk's text.</summary>
    public const int MaxChunkChars = 1024 * 1024;

    /// <summary>Characters of all chunks' text in one /logs request.</summary>
    public const int MaxLogCharsPerRequest = 8 * 1024 * 1024;

    /// <summary>Largest chunk seq, and largest <c>logChunks</c>.</summary>
    public const long MaxSeq = int.MaxValue;

    /// <summary>Characters of an event's <c>message</c> (a progress message, why an assignment failed).</summary>
    public const int MaxMessageChars = 8 * 1024;

    /// <summary>Outputs in one Finished event.</summary>
    public const int MaxOutputs = 100;

    /// <summary>Output names: 1 to 128 letters, digits, '-', '_' or '.'.</summary>
    public const int MaxOutputNameLength = 128;

    /// <summary>Characters of one output value.</summary>
    public const int MaxOutputValueChars = 64 * 1024;

    /// <summary>Characters of all outputs of one event, names and values.</summary>
    public const int MaxOutputsChars = 256 * 1024;

    /// <summary>How far ahead of the server's clock an event or chunk time may be.</summary>
    public static readonly TimeSpan MaxClockAhead = TimeSpan.FromDays(1);

    /// <summary>How far behind the server's clock an event or chunk time may be (an agent holds reports through an outage).</summary>
    public static readonly TimeSpan MaxReportAge = TimeSpan.FromDays(30);

    /// <summary>True when <paramref name="name"/> is an output name the protocol accepts.</summary>
    public static bool IsOutputName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxOutputNameLength)
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }
}
