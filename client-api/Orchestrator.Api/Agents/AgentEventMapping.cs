using Orchestrator.GrainInterfaces;
using Protocol = Orchestrator.Agent.Protocol;

namespace Orchestrator.Api.Agents;

/// <summary>
/// The one place the agent protocol's event types and outcomes become the grains' (<see cref="AgentEventType"/>,
/// <see cref="AgentOutcome"/>): the wire and the grain contract may change apart.
/// </summary>
internal static class AgentEventMapping
{
    /// <summary>The command a checked agent event becomes for its host target.</summary>
    public static TargetAgentEvent ToTargetEvent(Protocol.AgentEvent e, string sessionId) => new(
        e.AssignmentId, sessionId, Map(e.Type), e.At, e.Percent, e.Message, e.Outcome is { } outcome ? Map(outcome) : null,
        e.ExitCode, e.Outputs, e.LogChunks, e.UploadedSha256, e.StartedAt, e.TraceParent);

    /// <summary>
    /// The key that makes a resent event harmless: one per started and finished event of an assignment, one per
    /// progress report. Its text must not change: a resend after an upgrade must meet the key stored before it.
    /// </summary>
    public static string DedupeKey(Protocol.AgentEvent e) => e.Type == Protocol.AgentEventType.Progress
        ? $"ev:{e.AssignmentId}:p:{e.At.UtcTicks}:{e.Percent}"
        : $"ev:{e.AssignmentId}:{Name(e.Type)}";

    /// <summary>The type's name on the wire (<c>started</c>, <c>progress</c>, <c>finished</c>), for keys and logs.</summary>
    public static string Name(Protocol.AgentEventType type) => type switch
    {
        Protocol.AgentEventType.Started => "started",
        Protocol.AgentEventType.Progress => "progress",
        Protocol.AgentEventType.Finished => "finished",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an agent event type."),
    };

    public static AgentEventType Map(Protocol.AgentEventType type) => type switch
    {
        Protocol.AgentEventType.Started => AgentEventType.Started,
        Protocol.AgentEventType.Progress => AgentEventType.Progress,
        Protocol.AgentEventType.Finished => AgentEventType.Finished,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an agent event type."),
    };

    public static AgentOutcome Map(Protocol.AgentOutcome outcome) => outcome switch
    {
        Protocol.AgentOutcome.Succeeded => AgentOutcome.Succeeded,
        Protocol.AgentOutcome.Failed => AgentOutcome.Failed,
        Protocol.AgentOutcome.TimedOut => AgentOutcome.TimedOut,
        Protocol.AgentOutcome.Cancelled => AgentOutcome.Cancelled,
        Protocol.AgentOutcome.Error => AgentOutcome.Error,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not an agent outcome."),
    };
}
