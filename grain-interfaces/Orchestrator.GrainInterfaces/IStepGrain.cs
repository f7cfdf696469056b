using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Grains;

namespace Orchestrator.GrainInterfaces;

/// <summary>One step of a task instance, key <see cref="GrainKeys.Step"/>: resolves targets, rolls batches, keeps counts and the budget.</summary>
public interface IStepGrain : IGrainWithStringKey
{
    Task Start(StartStep command);

    Task Cancel(string reason);

    Task Skip(string reason);

    Task Continue(string by);

    Task Decide(ApprovalDecision decision);

    /// <summary>From a host target: it reached a final status for <see cref="TargetReport.StepAttempt"/>.</summary>
    Task OnTargetFinished(TargetReport report);

    /// <summary>
    /// From its deleted instance: deletes a finished step's index rows and host targets, a bounded chunk per turn.
    /// Chunk 0 starts; each later chunk is the step's message to itself, and a chunk other than the next is ignored.
    /// </summary>
    Task Delete(int chunk);

    ValueTask<StepView?> GetAsync();
}

/// <summary>Everything a step needs to run one attempt; <see cref="Retry"/> is set for a retry of an earlier attempt.</summary>
public sealed record StartStep(
    string InstanceId,
    int StepIndex,
    int Attempt,
    StepDefinition Definition,
    StepContext Context,
    AttemptSet? Retry);

/// <summary>What templates of a step may read: parameters (secrets included) and earlier steps' outputs.</summary>
public sealed record StepContext(
    string PlanId,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<string> SecretValues,
    IReadOnlyDictionary<string, StepOutputs> StepOutputs,
    IReadOnlyDictionary<string, string> StepKeys,
    string? PreviousStep);

public sealed record TargetReport(string Host, int StepAttempt, TargetStatus Status, int? ExitCode, bool FailStep, IReadOnlyDictionary<string, string>? Outputs);

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

public sealed record ApprovalRecord(string By, bool Approve, string? Reason, DateTimeOffset At);
