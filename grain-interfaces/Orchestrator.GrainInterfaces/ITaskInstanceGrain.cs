using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Grains;

namespace Orchestrator.GrainInterfaces;

/// <summary>One run of a plan version, key: task instance id. Runs its steps in order and takes control actions.</summary>
public interface ITaskInstanceGrain : IGrainWithStringKey
{
    Task Start(StartInstance command);

    /// <summary>Stops the run: targets not started never start; running scripts are killed.</summary>
    Task Cancel(InstanceControl command);

    Task SkipStep(StepControl command);

    /// <summary>Continues a paused rollout (the next batch).</summary>
    Task ContinueStep(StepControl command);

    Task Decide(ApprovalDecision command);

    /// <summary>Runs a finished step again over an attempt set; the instance then continues with the next steps.</summary>
    Task RetryStep(RetryStep command);

    /// <summary>From a step: its status changed.</summary>
    Task OnStepStatus(StepStatusReport report);

    ValueTask<TaskInstanceView?> GetAsync();

    ValueTask<RequestResult?> GetRequestResultAsync(string requestId);
}

public sealed record StartInstance(string RequestId, string PlanId, int PlanVersion, PlanDefinition Definition, IReadOnlyDictionary<string, string> Parameters, string By, DateTimeOffset RequestedAt);

public sealed record InstanceControl(string RequestId, string By, string? Reason);

public sealed record StepControl(string RequestId, int StepIndex, string By, string? Reason);

public sealed record ApprovalDecision(string RequestId, int StepIndex, string By, bool Approve, string? Reason);

public sealed record RetryStep(string RequestId, int StepIndex, AttemptSet Set, string By);

/// <summary>A step's status, with the outputs and host counts it ended with when final.</summary>
public sealed record StepStatusReport(int StepIndex, int StepAttempt, ExecutionStatus Status, string? Reason, StepOutputs? Outputs);

/// <summary>
/// Outputs of a step's targets: the first value of each name, and per-host values for up to
/// <see cref="MaxHostsWithOutputs"/> hosts.
/// </summary>
public sealed record StepOutputs(IReadOnlyDictionary<string, string> First, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ByHost)
{
    public const int MaxHostsWithOutputs = 1000;

    public static readonly StepOutputs Empty = new(new Dictionary<string, string>(), new Dictionary<string, IReadOnlyDictionary<string, string>>());
}

public sealed record TaskInstanceView(
    string Id,
    string PlanId,
    int PlanVersion,
    string PlanName,
    ExecutionStatus Status,
    int CurrentStep,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<StepSummary> Steps,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string By,
    IReadOnlyList<ControlRecord> Actions);

public sealed record StepSummary(int Index, string Name, StepKind Kind, ExecutionStatus Status, int Attempt, string? Reason, IReadOnlyDictionary<string, string> Outputs);

/// <summary>A control action as recorded: who, what, when and why.</summary>
public sealed record ControlRecord(string Action, int? StepIndex, string By, string? Reason, DateTimeOffset At);
