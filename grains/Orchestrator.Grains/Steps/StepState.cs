using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Steps;

/// <summary>
/// State of a step: counters and cursors only. The resolved targets live in index rows (one per position, one per
/// host), so that a step over 100,000 hosts commits a small state on every report.
/// </summary>
public sealed class StepState
{
    public string InstanceId { get; set; } = "";

    public int StepIndex { get; set; }

    public StepDefinition? Definition { get; set; }

    public StepContext? Context { get; set; }

    /// <summary>The attempt's trace context (its start span), passed down to its targets; null when the run has no trace.</summary>
    public string? TraceParent { get; set; }

    public int Attempt { get; set; }

    public ExecutionStatus Status { get; set; }

    public string? Reason { get; set; }

    public int Total { get; set; }

    public List<int> BatchSizes { get; set; } = [];

    /// <summary>The current batch, 0-based.</summary>
    public int Batch { get; set; }

    /// <summary>Position one past the current batch's last target.</summary>
    public int BatchEnd { get; set; }

    /// <summary>The next position to dispatch: positions below it are decided (counted in <see cref="Running"/> until they report).</summary>
    public int Next { get; set; }

    /// <summary>
    /// Positions below this were handed to their targets (their start acknowledged): the step's own delivery loop
    /// resumes here after a restart. Written now and then, not per start; a start sent twice is harmless.
    /// </summary>
    public int Delivered { get; set; }

    /// <summary>The positions whose final report was counted this attempt (<see cref="CountedPositions"/>).</summary>
    public byte[] Counted { get; set; } = [];

    /// <summary>A stop's cancels still going out to the attempt's targets (null: none pending).</summary>
    public CancelSweep? Cancelling { get; set; }

    /// <summary>Dispatched targets of this attempt that have not reported a final status.</summary>
    public int Running { get; set; }

    public int Succeeded { get; set; }

    public int Failed { get; set; }

    public int Ended { get; set; }

    public int BatchFailed { get; set; }

    /// <summary>A stop was decided; the step ends with <see cref="PendingFinal"/> once nothing runs.</summary>
    public bool Stopping { get; set; }

    public ExecutionStatus PendingFinal { get; set; }

    public List<ApprovalRecord> Approvals { get; set; } = [];

    public Dictionary<string, string> FirstOutputs { get; set; } = [];

    /// <summary>The hosts' final reports grouped by output, exit code and status (<see cref="OutputGrouping"/>); kept across retries.</summary>
    public OutputGroupSet Groups { get; set; } = new();

    public Dictionary<string, Dictionary<string, string>> HostOutputs { get; set; } = [];

    /// <summary>Host lists templates reference (<c>steps.X.succeededHosts</c>...), fetched when the step starts.</summary>
    public Dictionary<string, string> HostLists { get; set; } = [];

    /// <summary>File sources, resolved to checksums before targets are dispatched.</summary>
    public List<WorkFile?> Files { get; set; } = [];

    public bool Collecting { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Set once the step's instance was deleted: how far deleting its rows and targets has got.</summary>
    public StepDeletion? Deletion { get; set; }

    public string TargetPartition(int attempt) => $"{Key}/{attempt}";

    public string Key { get; set; } = "";
}

/// <summary>
/// Cancels going out to the targets of <see cref="Attempt"/>: every <c>target</c> row with one of the open statuses
/// (all of them, or only those not running when <see cref="KillRunning"/> is false), in key order from
/// <see cref="After"/>. Sent by the step's own loop, a page at a time, not through the outbox: a stop of a
/// 100,000-target step would otherwise put 100,000 messages into every write.
/// </summary>
public sealed class CancelSweep
{
    public int Attempt { get; set; }

    /// <summary>What a target that has not started ends as (cancelled, or skipped).</summary>
    public TargetStatus NotStarted { get; set; }

    public bool KillRunning { get; set; }

    /// <summary>The last host key the sweep has told (null: from the start).</summary>
    public string? After { get; set; }
}

/// <summary>
/// Where deleting a step stands: the <c>target</c> rows first (<see cref="Attempt"/> 0, each sends its host target a
/// delete), then each attempt's <c>steptarget</c> rows; <see cref="After"/> is the last key done in that partition.
/// </summary>
public sealed class StepDeletion
{
    /// <summary>The chunk the next continuation must carry; any other is a resend and is ignored.</summary>
    public int Chunk { get; set; }

    public int Attempt { get; set; }

    public string? After { get; set; }

    public bool Done { get; set; }

    public int TargetsDeleted { get; set; }
}
