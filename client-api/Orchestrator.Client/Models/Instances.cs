namespace Orchestrator.Client;

/// <summary>One row of the task instance list.</summary>
public sealed record InstanceListItem(string Id, InstanceSummary Instance, string Namespace = "default");

public sealed record InstanceSummary(string PlanId, int PlanVersion, string PlanName, ExecutionStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)
{
    /// <summary>Who started it (null for a run listed before the index kept it).</summary>
    public string? By { get; init; }
}

/// <summary>
/// A task instance as <c>GET /api/v1/task-instances/{id}</c> shows it: status and why, parameters (secrets as
/// <c>***</c>), each step with its host target counts by status, the control actions, and parked messages if any.
/// </summary>
public sealed record TaskInstance
{
    public required string Id { get; init; }

    public required string PlanId { get; init; }

    /// <summary>The namespace: its plan's (<c>default</c> for jobs API runs).</summary>
    public string Namespace { get; init; } = "default";

    public int PlanVersion { get; init; }

    public string? PlanName { get; init; }

    public ExecutionStatus Status { get; init; }

    public int CurrentStep { get; init; }

    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>When a delayed run starts.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>The schedule that started it, and the due time it stands for.</summary>
    public string? Schedule { get; init; }

    public DateTimeOffset? DueTime { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>The revision of the last status change.</summary>
    public long Revision { get; init; }

    /// <summary>Why it failed, was cancelled or is stopping.</summary>
    public string? Reason { get; init; }

    /// <summary>Who started it.</summary>
    public string? By { get; init; }

    public IReadOnlyList<StepState> Steps { get; init; } = [];

    public IReadOnlyList<ControlAction> Actions { get; init; } = [];

    public IReadOnlyList<DeadLetter>? DeadLetters { get; init; }
}

/// <summary>A step of a run: status, attempt, why, outputs, and its host targets counted by status (camelCase names).</summary>
public sealed record StepState(int Index, string Name, StepKind Kind, ExecutionStatus Status, int Attempt, string? Reason,
    IReadOnlyDictionary<string, string>? Outputs, IReadOnlyDictionary<string, long>? Targets)
{
    /// <summary>How many of the step's targets are in <paramref name="status"/>.</summary>
    public long Count(TargetStatus status) => Targets is not null && Targets.TryGetValue(status.ToApiName(), out var n) ? n : 0;

    /// <summary>How many targets the step has laid out.</summary>
    public long Total => Targets?.Values.Sum() ?? 0;

    /// <summary>
    /// The rolling batch the step is in (from 1) and how many batches it has (1 without rolling); null for a step
    /// that has not started, or from a server older than these fields.
    /// </summary>
    public int? Batch { get; init; }

    public int? BatchCount { get; init; }
}

/// <summary>A control action as recorded: who, what, when and why.</summary>
public sealed record ControlAction(string Action, int? StepIndex, string By, string? Reason, DateTimeOffset At);

/// <summary>The reply to a control action (cancel, or a step's skip, continue, approve, reject, retry).</summary>
public sealed record ControlResult(string Id, string Action, int? Step);

/// <summary>
/// A run's progress as <see cref="OrchestratorClient.WatchAsync"/> yields it: the instance's status and each step's
/// status and target counts. A new one is yielded whenever any of them changed.
/// </summary>
public sealed record InstanceProgress(string Id, ExecutionStatus Status, int CurrentStep, string? Reason, IReadOnlyList<StepState> Steps, TaskInstance Instance)
{
    /// <summary>The run is over: this is the last progress the watch yields.</summary>
    public bool IsFinal => Status.IsFinal();

    internal string Signature =>
        $"{Status}|{CurrentStep}|{Reason}|" + string.Join(";", Steps.Select(s =>
            $"{s.Index}:{s.Status}:{s.Attempt}:{s.Batch}/{s.BatchCount}:" + string.Join(",", (s.Targets ?? new Dictionary<string, long>()).OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"))));
}

/// <summary>A parked message (a message of a run that kept failing): what it asked, never its arguments.</summary>
public sealed record DeadLetter(long MessageId, string GrainType, string GrainKey, string Method, string Error, int Attempts, DateTimeOffset EnqueuedAt, DateTimeOffset ParkedAt);

/// <summary>The reply to a dead letter replay.</summary>
public sealed record DeadLetterReplayed(long Id, bool Replayed);

/// <summary>
/// Filters of the runs list (all optional, combined with and): <see cref="Status"/>; <see cref="PlanId"/> a plan's id;
/// <see cref="Namespace"/> (default: every namespace the caller may read); <see cref="By"/> the principal that started
/// the run; the creation time from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive).
/// </summary>
public sealed record InstanceFilter(ExecutionStatus? Status = null, string? PlanId = null, string? Namespace = null, string? By = null, DateTimeOffset? From = null, DateTimeOffset? To = null);
