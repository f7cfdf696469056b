namespace Orchestrator.Client;

/// <summary>Status of a task instance or a step (docs/api.md, "Statuses"). <see cref="Unknown"/>: a name this client does not know.</summary>
public enum ExecutionStatus
{
    Unknown = -1,
    Pending = 0,
    Running = 1,
    WaitingForApproval = 2,
    Paused = 3,
    Stopping = 4,

    /// <summary>A delayed run waiting for its start time.</summary>
    Scheduled = 5,
    Succeeded = 10,
    Failed = 11,
    Stopped = 12,
    Cancelled = 13,
    Skipped = 14,
}

/// <summary>Status of one host target. <see cref="Unknown"/>: a name this client does not know.</summary>
public enum TargetStatus
{
    Unknown = -1,
    Pending = 0,
    Dispatched = 1,
    Running = 2,
    Retrying = 3,
    Stopping = 4,
    Succeeded = 10,
    Failed = 11,
    TimedOut = 12,
    AgentOffline = 13,
    AgentLost = 14,
    Stopped = 15,
    Cancelled = 16,
    Skipped = 17,
}

/// <summary>Whether a host's agent is connected.</summary>
public enum HostStatus
{
    Unknown = -1,
    Offline = 0,
    Online = 1,
    Draining = 2,
}

/// <summary>
/// What an admin lets a host do (its agent's liveness is <see cref="HostStatus"/>): take work, take no new work
/// (paused), or finish what runs and take nothing new (draining; drained once nothing runs: its agent may be stopped).
/// </summary>
public enum HostOperation
{
    Unknown = -1,
    Active = 0,
    Paused = 1,
    Draining = 2,
    Drained = 3,
}

/// <summary>Which targets of a finished step a retry runs again.</summary>
public enum RetrySet
{
    /// <summary>The targets that failed (the default).</summary>
    Failed,

    /// <summary>The targets that never started (cancelled, skipped, pending).</summary>
    NotStarted,

    /// <summary>Every target.</summary>
    All,
}

/// <summary>The kind of a plan step.</summary>
public enum StepKind
{
    Unknown = -1,
    Script,
    FileDistribution,
    Approval,
    Http,
}

/// <summary>Helpers on statuses.</summary>
public static class StatusExtensions
{
    /// <summary>Final: the run (or step) will not change again unless retried.</summary>
    public static bool IsFinal(this ExecutionStatus status) => status >= ExecutionStatus.Succeeded;

    /// <summary>Final for this attempt of the target.</summary>
    public static bool IsFinal(this TargetStatus status) => status >= TargetStatus.Succeeded;

    /// <summary>The status's name on the wire (camelCase: <c>waitingForApproval</c>, <c>timedOut</c>).</summary>
    public static string ToApiName<TEnum>(this TEnum status) where TEnum : struct, Enum
    {
        var name = status.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
