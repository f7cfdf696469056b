using Orchestrator.Runtime.Durable;
using Orleans.Concurrency;
using Orchestrator.Plans.Model;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// One step on one host, key <see cref="GrainKeys.Target"/>: attempts, exit codes, timing, check-ins; its work runs on
/// the host's agent. What every target does for its step is <see cref="ITargetGrain"/>; the agent's events are its own.
/// </summary>
public interface IHostTargetGrain : ITargetGrain
{
    /// <summary>From the agent gateway: an event about one of this target's assignments.</summary>
    Task OnAgentEvent(TargetAgentEvent agentEvent);

    /// <summary>From the host: the agent session that ran this target is gone.</summary>
    Task OnAgentGone(string assignmentId, TargetStatus status, string reason);
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

    /// <summary>What runs the target: a host's agent, or a Kubernetes Job on the cluster named <see cref="Host"/>.</summary>
    [Id(10)]
    public TargetKind Kind { get; init; }

    /// <summary>A container target's current run: its Job (name and namespace on the cluster) and pods; null for a host target.</summary>
    [Id(11)]
    public ContainerRunView? Container { get; init; }
}

/// <summary>
/// A container target's Job and its pods for the current run. Each pod's log is its own stream
/// (<see cref="GrainKeys.PodLogStream"/>), read with the target log API's <c>pod</c> parameter.
/// </summary>
[GenerateSerializer]
public sealed record ContainerRunView(string Job, string Namespace, int Active, int Succeeded, int Failed, IReadOnlyList<PodLogView> Pods);

/// <summary>A pod of a container target's run: how many log chunks (lines) are stored, and whether its log reached the cap.</summary>
[GenerateSerializer]
public sealed record PodLogView(string Pod, long LogChunks, bool Truncated);

/// <summary>
/// One run of the target: on its agent, its log is the stream <see cref="GrainKeys.LogStream"/>; on a cluster, one
/// Job whose pods' logs are kept per pod (<see cref="Pods"/>).
/// </summary>
[GenerateSerializer]
public sealed record TargetAttempt(int Run, int StepAttempt, TargetStatus Status, int? ExitCode, DateTimeOffset DispatchedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error, long? LogChunks)
{
    /// <summary>
    /// A container target's run, once ended: its pods with a log (<see cref="GrainKeys.PodLogStream"/>), so that every
    /// run's pod logs stay readable and are archived; null for a host target and while the run is current
    /// (<see cref="ContainerRunView.Pods"/> lists them then).
    /// </summary>
    [Id(9)]
    public IReadOnlyList<PodLogView>? Pods { get; init; }
}
