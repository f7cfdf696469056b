using Orchestrator.Runtime.Durable;
using Orleans.Concurrency;
using Orchestrator.Plans.Model;

namespace Orchestrator.GrainInterfaces;

/// <summary>One step of a task instance, key <see cref="GrainKeys.Step"/>: resolves targets, rolls batches, keeps counts and the budget.</summary>
public interface IStepGrain : IGrainWithStringKey, IDeadLetterObserver
{
    Task Start(StartStep command);

    Task Cancel(string reason);

    Task Skip(string reason);

    Task Continue(string by);

    Task Decide(ApprovalDecision decision);

    /// <summary>
    /// From a host target: it reached a final status for <see cref="TargetReport.StepAttempt"/>. Not a turn: the step
    /// queues the report and counts what it heard in a turn of its own, many reports per turn (100,000 targets report
    /// here), so the answer means heard, not stored; a report lost with the step's activation is found again from the
    /// target's row. A report heard twice is harmless: the step counts each position once per attempt. A file source's
    /// report (through its outbox) is stored before the answer.
    /// </summary>
    [OutsideTurn]
    Task OnTargetFinished(TargetReport report);

    /// <summary>
    /// From its deleted instance: deletes a finished step's index rows and host targets, a bounded chunk per turn.
    /// Chunk 0 starts; each later chunk is the step's message to itself, and a chunk other than the next is ignored.
    /// </summary>
    Task Delete(int chunk);

    [ReadOnly]
    ValueTask<StepView?> GetAsync();

    /// <summary>The step's hosts grouped by identical output, exit code and status (null: no such step).</summary>
    [ReadOnly]
    ValueTask<StepGroupsView?> GetGroupsAsync();
}

/// <summary>Everything a step needs to run one attempt; <see cref="Retry"/> is set for a retry of an earlier attempt.</summary>
[GenerateSerializer]
public sealed record StartStep(
    string InstanceId,
    int StepIndex,
    int Attempt,
    StepDefinition Definition,
    StepContext Context,
    AttemptSet? Retry,
    string? TraceParent = null);

/// <summary>What templates of a step may read: parameters (secrets included) and earlier steps' outputs.</summary>
[GenerateSerializer]
public sealed record StepContext(
    string PlanId,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<string> SecretValues,
    IReadOnlyDictionary<string, StepOutputs> StepOutputs,
    IReadOnlyDictionary<string, string> StepKeys,
    string? PreviousStep,
    string? Namespace = null);

/// <summary>
/// A target's final status for a step attempt. <see cref="Position"/>: the target's position in that attempt's rollout,
/// which the step counts once; -1 for a file source (<c>@srcN</c>), which the step tracks by name.
/// <see cref="Group"/>: its <see cref="OutputGroupKey"/> (null from targets of before output groups: not grouped);
/// <see cref="Excerpt"/>: the start of its output, shown for its group.
/// </summary>
[GenerateSerializer]
public sealed record TargetReport(string Host, int StepAttempt, TargetStatus Status, int? ExitCode, bool FailStep, IReadOnlyDictionary<string, string>? Outputs, int Position = -1,
    string? Group = null, string? Excerpt = null);

[GenerateSerializer]
public sealed record StepView(
    string Key,
    string Name,
    ExecutionStatus Status,
    int Attempt,
    int TotalTargets,
    int Batch,
    int BatchCount,
    int Dispatched,
    int Succeeded,
    int Failed,
    int NotStarted,
    string? Reason,
    IReadOnlyList<ApprovalRecord> Approvals);

[GenerateSerializer]
public sealed record ApprovalRecord(string By, bool Approve, string? Reason, DateTimeOffset At);
