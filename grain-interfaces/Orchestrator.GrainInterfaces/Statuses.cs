namespace Orchestrator.GrainInterfaces;

/// <summary>
/// Status of a task instance or a step. It only moves forward within an attempt; the one way back from a final
/// status is an explicit retry, which starts a new attempt.
/// </summary>
[GenerateSerializer]
public enum ExecutionStatus
{
    Pending = 0,
    Running = 1,
    WaitingForApproval = 2,
    Paused = 3,
    Stopping = 4,

    /// <summary>A delayed run waiting for its start time (task instances only).</summary>
    Scheduled = 5,
    Succeeded = 10,
    Failed = 11,
    Stopped = 12,
    Cancelled = 13,
    Skipped = 14,
}

/// <summary>Status of one host target. Values of 10 and above are final for the attempt.</summary>
[GenerateSerializer]
public enum TargetStatus
{
    Pending = 0,

    /// <summary>Handed to the host's agent; not started yet.</summary>
    Dispatched = 1,
    Running = 2,

    /// <summary>Failed; waiting out the back-off before the next attempt.</summary>
    Retrying = 3,

    /// <summary>Asked the agent to kill it; waiting for it to confirm.</summary>
    Stopping = 4,
    Succeeded = 10,
    Failed = 11,
    TimedOut = 12,

    /// <summary>The host had no live agent when the target was due.</summary>
    AgentOffline = 13,

    /// <summary>The agent died or restarted while running the target.</summary>
    AgentLost = 14,

    /// <summary>Killed while running (cancel, step deadline, failure budget).</summary>
    Stopped = 15,

    /// <summary>Never started: cancelled before its turn.</summary>
    Cancelled = 16,
    Skipped = 17,
}

/// <summary>Which targets a step retry runs again.</summary>
[GenerateSerializer]
public enum AttemptSet
{
    Failed,
    NotStarted,
    All,
}

/// <summary>Helpers on statuses.</summary>
public static class StatusExtensions
{
    public static bool IsFinal(this ExecutionStatus status) => status >= ExecutionStatus.Succeeded;

    public static bool IsFinal(this TargetStatus status) => status >= TargetStatus.Succeeded;

    /// <summary>A final status that counts against the failure budget.</summary>
    public static bool IsFailure(this TargetStatus status) =>
        status is TargetStatus.Failed or TargetStatus.TimedOut or TargetStatus.AgentOffline or TargetStatus.AgentLost;

    /// <summary>Final without having run to an outcome of its own.</summary>
    public static bool IsNotStarted(this TargetStatus status) => status is TargetStatus.Cancelled or TargetStatus.Skipped or TargetStatus.Pending;
}
