using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Agent.Protocol;

// The agent protocol: JSON over HTTP, every request carrying "Authorization: Bearer <agent token>". One agent process
// may answer for many host identities (the simulated fleet), so every request names its hosts. All endpoints are
// under /api/v1/agent; see docs/agent-protocol.md.

/// <summary>JSON options both sides use: camelCase, enums as strings, nulls omitted.</summary>
public static class ProtocolJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}

/// <summary>A host identity an agent answers for, with its labels and how much it runs at once.</summary>
public sealed record AgentHost(string Host, IReadOnlyDictionary<string, string> Labels, int Capacity);

/// <summary>
/// POST /register: announces a new session (a fresh id per agent process start). <see cref="Namespace"/>: the
/// namespace every host of the session is in (null: <c>default</c>); steps reach only hosts of their plan's namespace.
/// </summary>
public sealed record RegisterRequest(string SessionId, string AgentVersion, IReadOnlyList<AgentHost> Hosts)
{
    public string? Namespace { get; init; }
}

/// <summary>
/// How often the server wants heartbeats and polls, and the agent's own credential: presented (as
/// <c>Authorization: Bearer</c>) on every later call instead of the registration token, until the next registration.
/// </summary>
public sealed record RegisterResponse(int HeartbeatIntervalMs, int PollWaitMs)
{
    /// <summary>Null from servers of before credentials: the agent keeps sending the registration token.</summary>
    public string? Credential { get; init; }
}

/// <summary>POST /heartbeat: the session is alive; <see cref="Draining"/> means it takes no new work.</summary>
public sealed record HeartbeatRequest(string SessionId, IReadOnlyList<string> Hosts, bool Draining);

/// <summary>
/// POST /poll: a long poll for work. <see cref="Running"/> lists the assignment ids the agent holds, so the server
/// can answer with cancellations for them. The reply comes as soon as there is something, or after
/// <see cref="WaitMs"/> with empty lists.
/// </summary>
public sealed record PollRequest(string SessionId, IReadOnlyList<string> Hosts, IReadOnlyList<string> Running, int WaitMs, int MaxAssignments);

public sealed record PollResponse(IReadOnlyList<Assignment> Assignments, IReadOnlyList<string> Cancel);

/// <summary>What an assignment asks for.</summary>
public enum AssignmentKind
{
    /// <summary>Run <see cref="Assignment.Script"/>.</summary>
    Script,

    /// <summary>Download <see cref="Assignment.Files"/> from the server into a directory, verifying each checksum.</summary>
    Download,

    /// <summary>Upload <see cref="Assignment.UploadPath"/> from this host to the server (a file distribution's source).</summary>
    Upload,

    /// <summary>Make <see cref="Assignment.Http"/>'s request from this host and check the response status.</summary>
    Http,
}

/// <summary>
/// One piece of work for one host. <see cref="Id"/> is unique per attempt; an agent that sees an id again (a poll
/// raced with its report) ignores it.
/// </summary>
public sealed record Assignment
{
    public required string Id { get; init; }

    public required string Host { get; init; }

    public AssignmentKind Kind { get; init; }

    public ScriptWork? Script { get; init; }

    public IReadOnlyList<FileWork> Files { get; init; } = [];

    public string? TargetDirectory { get; init; }

    /// <summary>Octal permission bits for downloaded files, e.g. "0644".</summary>
    public string? Mode { get; init; }

    public string? UploadPath { get; init; }

    public HttpWork? Http { get; init; }

    /// <summary>Kill the whole process tree after this long; null for no limit.</summary>
    public int? TimeoutMs { get; init; }

    /// <summary>Values to replace with <c>***</c> in every log chunk and output before it leaves the host.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>
    /// The run's W3C trace context (<c>00-&lt;trace id&gt;-&lt;span id&gt;-&lt;flags&gt;</c>): the agent's work on it is a
    /// span of that trace. Absent when the run has no trace (tracing off on the server).
    /// </summary>
    public string? TraceParent { get; init; }
}

/// <summary>A script to run: interpreter, body, arguments, environment and working directory.</summary>
public sealed record ScriptWork(string Interpreter, string Source, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Env, string? WorkingDirectory);

/// <summary>
/// An HTTP request to make. The assignment succeeds when the response status is one of <see cref="ExpectStatus"/>;
/// the agent reports the status as the output <c>status</c>, and why it failed in the Finished event's message.
/// </summary>
public sealed record HttpWork
{
    public string Method { get; init; } = "GET";

    /// <summary>Absolute http or https URL.</summary>
    public required string Url { get; init; }

    /// <summary>Request headers; <c>Content-*</c> ones apply to <see cref="Body"/>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Sent as UTF-8 text; no body when null.</summary>
    public string? Body { get; init; }

    /// <summary>Codes (<c>204</c>) or classes (<c>2xx</c>) that count as success; empty means <c>2xx</c>.</summary>
    public IReadOnlyList<string> ExpectStatus { get; init; } = [];

    /// <summary>Limit on the request, body included; the agent's default (100 s) when null. Ends as TimedOut.</summary>
    public int? TimeoutMs { get; init; }

    public bool FollowRedirects { get; init; } = true;
}

/// <summary>A file to fetch from GET /files/{sha256}.</summary>
public sealed record FileWork(string Name, string Sha256, long Size);

/// <summary>POST /events: what happened to assignments, in order per assignment.</summary>
public sealed record EventsRequest(string SessionId, IReadOnlyList<AgentEvent> Events);

/// <summary>How an assignment ended on the host.</summary>
public enum AgentOutcome
{
    Succeeded,

    /// <summary>The script exited non-zero (<see cref="AgentEvent.ExitCode"/>) or the file work failed.</summary>
    Failed,

    TimedOut,

    /// <summary>Killed on the server's request.</summary>
    Cancelled,

    /// <summary>Could not be started (interpreter missing, bad working directory, download failed...).</summary>
    Error,
}

/// <summary>Kinds of agent events.</summary>
public enum AgentEventType
{
    Started,
    Progress,
    Finished,
}

/// <summary>
/// An event about one assignment. <see cref="AgentEventType.Finished"/> carries the outcome, exit code, outputs
/// (<c>::set-output name=value</c> lines), the number of log chunks sent (so the server knows the log is complete),
/// and for uploads the stored file's checksum.
/// </summary>
public sealed record AgentEvent
{
    public required string AssignmentId { get; init; }

    public AgentEventType Type { get; init; }

    public DateTimeOffset At { get; init; }

    public int? Percent { get; init; }

    public string? Message { get; init; }

    public AgentOutcome? Outcome { get; init; }

    public int? ExitCode { get; init; }

    public IReadOnlyDictionary<string, string>? Outputs { get; init; }

    public long? LogChunks { get; init; }

    public string? UploadedSha256 { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>
    /// The agent's span for the assignment (a W3C <c>traceparent</c>), so that what the server makes of the report joins
    /// the same trace; absent when the assignment carried no trace context. A malformed value is ignored, never refused.
    /// </summary>
    public string? TraceParent { get; init; }
}

/// <summary>POST /logs: sequenced chunks; the server stores each (assignment, seq) once, so resending is safe.</summary>
public sealed record LogsRequest(string SessionId, IReadOnlyList<LogChunkDto> Chunks);

/// <summary>One chunk of output; <see cref="Seq"/> counts from 0 per assignment with no gaps.</summary>
public sealed record LogChunkDto(string AssignmentId, long Seq, DateTimeOffset At, string Stream, string Text);

/// <summary>
/// Reply to /events and /logs (and the body of /heartbeat's): <see cref="Accepted"/> items were stored (a resend of
/// one already stored counts). Items not stored are listed by their position in the request: <see cref="Refused"/>
/// ones will never be stored as they are (the sender drops them, with a marker in the run's log),
/// <see cref="Failed"/> ones failed on the server's side and may be sent again. A server that predates the lists
/// omits them, meaning everything was stored.
/// </summary>
public sealed record AckResponse(int Accepted)
{
    public IReadOnlyList<ItemProblem>? Refused { get; init; }

    public IReadOnlyList<ItemProblem>? Failed { get; init; }
}

/// <summary>
/// Why one item of a batch was not stored: its position in the request's list, the field at fault as a JSON path
/// (<c>chunks[3].text</c>) when one is, and the rule it broke.
/// </summary>
public sealed record ItemProblem(int Index, string? Field, string Reason);
