using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Execution;

/// <summary>How an executor's work ended. <see cref="Killed"/>: stopped on a timeout or cancellation, which the
/// caller turns into <see cref="AgentOutcome.TimedOut"/> or <see cref="AgentOutcome.Cancelled"/>. <see cref="Message"/>:
/// why it ended so, for the Finished event (an http status not expected), already masked.</summary>
internal sealed record ExecutionResult(AgentOutcome Outcome, int? ExitCode = null, string? UploadedSha256 = null, bool Killed = false, string? Message = null)
{
    public static ExecutionResult Error { get; } = new(AgentOutcome.Error);

    public static ExecutionResult Failed { get; } = new(AgentOutcome.Failed);
}
