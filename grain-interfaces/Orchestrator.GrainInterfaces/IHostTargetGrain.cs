using Orchestrator.Runtime.Durable;
using Orleans.Concurrency;
using Orchestrator.Plans.Model;

namespace Orchestrator.GrainInterfaces;

/// <summary>One step on one host, key <see cref="GrainKeys.Target"/>: attempts, exit codes, timing, check-ins.</summary>
public interface IHostTargetGrain : IGrainWithStringKey, IDeadLetterObserver
{
    /// <summary>Starts the target for a step attempt; a start of an attempt it already has (a re-send) changes nothing.</summary>
    [DomainIdempotent]
    Task Start(StartTarget command);

    /// <summary>Stops the target for this step attempt: never starts if pending, killed if running.</summary>
    Task Cancel(int stepAttempt, TargetStatus notStartedStatus);

    /// <summary>From the agent gateway: an event about one of this target's assignments.</summary>
    Task OnAgentEvent(TargetAgentEvent agentEvent);

    /// <summary>From the host: the agent session that ran this target is gone.</summary>
    Task OnAgentGone(string assignmentId, TargetStatus status, string reason);

    /// <summary>From its deleted step: drops the target's state, index rows and log streams; it then reads as absent.</summary>
    Task Delete();

    [ReadOnly]
    ValueTask<HostTargetView?> GetAsync();

    /// <summary>
    /// The final report this target made for <paramref name="stepAttempt"/>, or null if it made none: for a step that
    /// found the target's row final but never heard its report (the call after the target's write was lost).
    /// </summary>
    [ReadOnly]
    ValueTask<TargetReport?> GetReportAsync(int stepAttempt);
}

/// <summary>
/// A step attempt's start of one target; <see cref="Position"/> is its place in the attempt's rollout (-1: a file
/// source). <see cref="Namespace"/>: the step's; a retry dispatches only while the host is in it (null: <c>default</c>);
/// <see cref="TraceParent"/> the run's trace context (the step's span), null when the run has no trace.
/// </summary>
[GenerateSerializer]
public sealed record StartTarget(string StepKey, string Host, int StepAttempt, WorkSpec Work, TimeSpan? Timeout, RetryPolicy Retry, IReadOnlyList<ExitCodeRule> ExitCodes, bool HostOnline,
    int Position = -1, string? Namespace = null, string? TraceParent = null);

/// <summary>
/// An agent event as the gateway forwards it: the agent's outcome and its raw exit code, which the target judges
/// (<see cref="AgentOutcome"/>). <see cref="Outcome"/> is set on <see cref="AgentEventType.Finished"/> only.
/// </summary>
[GenerateSerializer]
public sealed record TargetAgentEvent(
    string AssignmentId,
    string SessionId,
    AgentEventType Type,
    DateTimeOffset At,
    int? Percent,
    string? Message,
    AgentOutcome? Outcome,
    int? ExitCode,
    IReadOnlyDictionary<string, string>? Outputs,
    long? LogChunks,
    string? UploadedSha256,
    DateTimeOffset? StartedAt,
    string? TraceParent = null);

[GenerateSerializer]
public sealed record HostTargetView(
    string Key,
    string Host,
    TargetStatus Status,
    int StepAttempt,
    int Run,
    IReadOnlyList<TargetAttempt> Attempts,
    int? Percent,
    string? ProgressMessage,
    IReadOnlyDictionary<string, string> Outputs)
{
    /// <summary>When the agent reported the current <see cref="Percent"/> and <see cref="ProgressMessage"/> (a check-in).</summary>
    [Id(9)]
    public DateTimeOffset? ProgressAt { get; init; }
}

/// <summary>One run of the target on its agent; its log is the stream <see cref="GrainKeys.LogStream"/>.</summary>
[GenerateSerializer]
public sealed record TargetAttempt(int Run, int StepAttempt, TargetStatus Status, int? ExitCode, DateTimeOffset DispatchedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error, long? LogChunks);
