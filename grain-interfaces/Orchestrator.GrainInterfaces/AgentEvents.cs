using System.Text.Json.Serialization;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// Kinds of agent events as the grains see them; the gateway maps the agent protocol's onto these, once. Serialized
/// as the camelCase names the gateway used to send as strings (<c>"started"</c>...), so messages stored before the
/// change (an inbox row, a parked message) read back, whatever serializer options the store uses.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<AgentEventType>))]
public enum AgentEventType
{
    [JsonStringEnumMemberName("started")]
    Started = 0,

    [JsonStringEnumMemberName("progress")]
    Progress = 1,

    [JsonStringEnumMemberName("finished")]
    Finished = 2,
}

/// <summary>
/// How the agent says an assignment ended, as the grains see it (serialized as <see cref="AgentEventType"/> is). For a
/// run that went to its exit (<see cref="Succeeded"/> or <see cref="Failed"/> with an exit code) the host target judges
/// from the exit code alone; see <c>RunJudgement</c> in the grains.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<AgentOutcome>))]
public enum AgentOutcome
{
    /// <summary>Exit code 0, or the transfer or request done.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded = 0,

    /// <summary>A non-zero exit code, or the file work or request failed.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed = 1,

    /// <summary>Killed when the run's timeout passed.</summary>
    [JsonStringEnumMemberName("timedOut")]
    TimedOut = 2,

    /// <summary>Killed on the server's request, or cancelled before it started.</summary>
    [JsonStringEnumMemberName("cancelled")]
    Cancelled = 3,

    /// <summary>Could not be run (interpreter missing, malformed assignment), or killed as the agent stopped.</summary>
    [JsonStringEnumMemberName("error")]
    Error = 4,
}
