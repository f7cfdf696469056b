using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Execution;

/// <summary>How an executor's work ended. <see cref="Killed"/>: stopped on a timeout or cancellation, which the
/// caller turns into <see cref="AgentOutcome.TimedOut"/> or <see cref="AgentOutcome.Cancelled"/>.</summary>
internal sealed record ExecutionResult(AgentOutcome Outcome, int? ExitCode = null, string? UploadedSha256 = null, bool Killed = false)
{
    public static ExecutionResult Error { get; } = new(AgentOutcome.Error);

    public static ExecutionResult Failed { get; } = new(AgentOutcome.Failed);
}
