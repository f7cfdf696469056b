using Orchestrator.Runtime.Durable;
using Orleans.Concurrency;
using Orchestrator.Plans.Model;

namespace Orchestrator.GrainInterfaces;

/// <summary>One run of a plan version, key: task instance id. Runs its steps in order and takes control actions.</summary>
public interface ITaskInstanceGrain : IGrainWithStringKey, IDeadLetterObserver
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

    /// <summary>
    /// Deletes a finished instance with its steps, targets, index rows and logs (409 while it runs, 404 if absent, 200
    /// again for one already deleted). The instance keeps a tombstone and reads as absent.
    /// </summary>
    Task Delete(DeleteInstance command);

    [ReadOnly]
    ValueTask<TaskInstanceView?> GetAsync();

    /// <summary>The instance's namespace (its plan's when it was started); null when there is no instance.</summary>
    [ReadOnly]
    ValueTask<string?> GetNamespaceAsync();

    [ReadOnly]
    ValueTask<RequestResult?> GetRequestResultAsync(string requestId);
}

[GenerateSerializer]
public sealed record StartInstance(string RequestId, string PlanId, int PlanVersion, PlanDefinition Definition, IReadOnlyDictionary<string, string> Parameters, string By, DateTimeOffset RequestedAt, RunOptions? Options = null);

/// <summary>How a run starts and whom it tells: all optional.</summary>
[GenerateSerializer]
public sealed record RunOptions
{
    /// <summary>The instance waits in <see cref="ExecutionStatus.Scheduled"/> until then; it can be cancelled meanwhile.</summary>
    [Id(0)]
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Or: start this long after the instance receives its start (on the cluster's clock); ignored when <see cref="NotBefore"/> is set.</summary>
    [Id(1)]
    public TimeSpan? Delay { get; init; }

    /// <summary>Status changes are posted here (see <see cref="IStatusHookGrain"/>).</summary>
    [Id(2)]
    public StatusHook? Hook { get; init; }

    [Id(3)]
    public HookFormat HookFormat { get; init; }

    /// <summary>The schedule that started the run (an <see cref="IScheduleGrain"/> key); it hears when the run ends.</summary>
    [Id(4)]
    public string? Schedule { get; init; }

    /// <summary>The schedule's due time this run stands for.</summary>
    [Id(5)]
    public DateTimeOffset? DueTime { get; init; }

    /// <summary>Free-form labels shown with the instance (the jobs API keeps a job's kind and name here).</summary>
    [Id(6)]
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The W3C <c>traceparent</c> of the request that started the run (one run is one trace, docs/observability.md);
    /// null when no trace was recorded.
    /// </summary>
    [Id(7)]
    public string? TraceParent { get; init; }
}

/// <summary>The body a status hook receives: this orchestrator's own shape, or Harbor's job service's.</summary>
[GenerateSerializer]
public enum HookFormat
{
    Orchestrator,
    Harbor,
}

/// <summary>Stop: the run ends <see cref="ExecutionStatus.Stopped"/> instead of <see cref="ExecutionStatus.Cancelled"/> (Harbor's stop and cancel).</summary>
[GenerateSerializer]
public sealed record InstanceControl(string RequestId, string By, string? Reason, bool Stop = false);

/// <summary>Deletes a finished instance (by a person, or by <c>retention</c> when its time after finishing is up).</summary>
[GenerateSerializer]
public sealed record DeleteInstance(string RequestId, string By, string? Reason);

[GenerateSerializer]
public sealed record StepControl(string RequestId, int StepIndex, string By, string? Reason);

/// <summary>
/// An approver's decision. <c>By</c> is the authenticated principal; <c>ByRoles</c> the roles it holds on the
/// instance's namespace (with those they imply), for approval steps that name a role (<c>role:admin</c>); null from
/// callers of before roles existed.
/// </summary>
[GenerateSerializer]
public sealed record ApprovalDecision(string RequestId, int StepIndex, string By, bool Approve, string? Reason, IReadOnlyList<string>? ByRoles = null);

[GenerateSerializer]
public sealed record RetryStep(string RequestId, int StepIndex, AttemptSet Set, string By);

/// <summary>A step's status, with the outputs and host counts it ended with when final.</summary>
[GenerateSerializer]
public sealed record StepStatusReport(int StepIndex, int StepAttempt, ExecutionStatus Status, string? Reason, StepOutputs? Outputs);

/// <summary>
/// Outputs of a step's targets: the first value of each name, and per-host values for up to
/// <see cref="MaxHostsWithOutputs"/> hosts.
/// </summary>
[GenerateSerializer]
public sealed record StepOutputs(IReadOnlyDictionary<string, string> First, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ByHost)
{
    public const int MaxHostsWithOutputs = 1000;

    public static readonly StepOutputs Empty = new(new Dictionary<string, string>(), new Dictionary<string, IReadOnlyDictionary<string, string>>());
}

[GenerateSerializer]
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
    IReadOnlyList<ControlRecord> Actions)
{
    /// <summary>When a delayed run starts (null: at once).</summary>
    [Id(13)]
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>The schedule that started it, and the due time it stands for.</summary>
    [Id(14)]
    public string? Schedule { get; init; }

    [Id(15)]
    public DateTimeOffset? DueTime { get; init; }

    [Id(16)]
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The revision of the last status change (what status hooks carry).</summary>
    [Id(17)]
    public long Revision { get; init; }

    /// <summary>
    /// Why the run ended as it did, or why it is stopping: the step that failed and its reason, who cancelled, a
    /// message that could not be applied. Null while it runs normally and when it succeeded.
    /// </summary>
    [Id(18)]
    public string? Reason { get; init; }

    /// <summary>The namespace: the plan's when the instance was created (<c>default</c> for jobs API and built-in runs).</summary>
    [Id(19)]
    public string Namespace { get; init; } = Plans.Model.Namespaces.Default;
}

[GenerateSerializer]
public sealed record StepSummary(int Index, string Name, StepKind Kind, ExecutionStatus Status, int Attempt, string? Reason, IReadOnlyDictionary<string, string> Outputs);

/// <summary>A control action as recorded: who, what, when and why.</summary>
[GenerateSerializer]
public sealed record ControlRecord(string Action, int? StepIndex, string By, string? Reason, DateTimeOffset At);
