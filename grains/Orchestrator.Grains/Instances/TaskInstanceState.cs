using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Instances;

/// <summary>State of a task instance: the plan version it runs, its parameters and where each step stands.</summary>
public sealed class TaskInstanceState : Requests.IRequestState
{
    public string PlanId { get; set; } = "";

    public int PlanVersion { get; set; }

    public PlanDefinition? Definition { get; set; }

    /// <summary>The namespace, the plan's when started; null in instances of before namespaces (<c>default</c>).</summary>
    public string? Namespace { get; set; }

    /// <summary>The partition of the instance's index row as last written; null: "" (rows of before namespaces) or none.</summary>
    public string? IndexPartition { get; set; }

    public Dictionary<string, string> Parameters { get; set; } = [];

    public ExecutionStatus Status { get; set; }

    public int CurrentStep { get; set; }

    public List<StepEntry> Steps { get; set; } = [];

    public string By { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public List<ControlRecord> Actions { get; set; } = [];

    /// <summary>How the run was started: delay, hook, schedule, labels.</summary>
    public RunOptions Options { get; set; } = new();

    /// <summary>The run's trace context (its start span), passed down to its steps; null when the run has no trace.</summary>
    public string? TraceParent { get; set; }

    /// <summary>How a cancel ends the run: Cancelled, or Stopped for a stop.</summary>
    public ExecutionStatus EndAs { get; set; } = ExecutionStatus.Cancelled;

    /// <summary>Why the run ended as it did (or why it is stopping); null while it runs normally and when it succeeded.</summary>
    public string? Reason { get; set; }

    /// <summary>When a cancel or stop was sent to the running step; the run ends by itself if the step has not confirmed in time.</summary>
    public DateTimeOffset? StopRequestedAt { get; set; }

    /// <summary>Grows with every status change; status hooks carry it.</summary>
    public long Revision { get; set; }

    public RequestLog Requests { get; set; } = new();

    /// <summary>Set when the instance was deleted: the state is then a tombstone and the instance reads as absent.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Who deleted it (<c>retention</c> when its time after finishing ran out), and why.</summary>
    public string? DeletedBy { get; set; }

    public string? DeleteReason { get; set; }
}

/// <summary>One step as the instance tracks it.</summary>
public sealed class StepEntry
{
    public ExecutionStatus Status { get; set; }

    public int Attempt { get; set; }

    public string? Reason { get; set; }

    /// <summary>Skip this step when its turn comes (skipped ahead of time).</summary>
    public bool SkipRequested { get; set; }

    public StepOutputs Outputs { get; set; } = StepOutputs.Empty;
}
