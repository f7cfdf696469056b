using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Targets;

/// <summary>
/// What every target of a step keeps, whatever runs its work (<see cref="HostTargetState"/>,
/// <see cref="Containers.ContainerTargetState"/>): the step attempt it serves, its place in the rollout, its runs and
/// what it reported.
/// </summary>
public abstract class TargetState
{
    /// <summary>The step attempt's trace context; null when the run has no trace.</summary>
    public string? TraceParent { get; set; }

    public string StepKey { get; set; } = "";

    public int StepAttempt { get; set; }

    /// <summary>The target's position in the current step attempt's rollout (-1: a file source); its reports carry it.</summary>
    public int Position { get; set; } = -1;

    /// <summary>The namespace of the target's step (null: <c>default</c>).</summary>
    public string? Namespace { get; set; }

    /// <summary>The highest step attempt cancelled before its start arrived: a late start for it is refused.</summary>
    public int CancelledAttempt { get; set; }

    public TargetStatus Status { get; set; }

    /// <summary>Runs, counted over all attempts; each has its own log stream(s).</summary>
    public int Run { get; set; }

    public WorkSpec? Work { get; set; }

    public TimeSpan? Timeout { get; set; }

    public RetryPolicy Retry { get; set; } = new();

    public int RetriesUsed { get; set; }

    /// <summary>The step attempt this target last reported a final status for (0: none), with what it reported.</summary>
    public int ReportedAttempt { get; set; }

    public int? ReportedExitCode { get; set; }

    public List<TargetAttempt> Attempts { get; set; } = [];

    /// <summary>Deleted with its instance: the state is a tombstone, the target reads as absent and ignores late messages.</summary>
    public bool Deleted { get; set; }
}
