using Orchestrator.Grains.Targets;

namespace Orchestrator.Grains.Containers;

/// <summary>State of one container target: the work, the current run's Job and pods, and every run so far.</summary>
public sealed class ContainerTargetState : TargetState
{
    /// <summary>The registered cluster the target runs on (its name in the step's targets).</summary>
    public string Cluster { get; set; } = "";

    /// <summary>
    /// The current run's Job, recorded in the turn before it is created: a re-activated target (its silo died) calls
    /// the runner again with the same name, which attaches to the Job instead of creating a second one.
    /// </summary>
    public ContainerJob? Job { get; set; }

    /// <summary>The retry waiting is a re-attach to <see cref="Job"/> (the cluster was unreachable), not a new Job.</summary>
    public bool Reattach { get; set; }

    /// <summary>The current run's Job is being deleted because it ran past the step's <c>targetTimeout</c>.</summary>
    public bool TimedOut { get; set; }
}

/// <summary>A run's Job: where it is, its pod counts, and how far each pod's log has been stored.</summary>
public sealed class ContainerJob
{
    public string Name { get; set; } = "";

    public string Namespace { get; set; } = "";

    public string? Secret { get; set; }

    public int Active { get; set; }

    public int Succeeded { get; set; }

    public int Failed { get; set; }

    /// <summary>The pods whose log lines were stored, in the order their first line came.</summary>
    public List<PodLogState> Pods { get; set; } = [];
}

/// <summary>
/// One pod's log as stored: the next sequence number of its stream and the runner's cursor after the last stored line
/// (both written in the same turn, after the lines are in the log store, so a resumed run re-reads from the cursor and
/// re-appends at the same numbers, which the store skips).
/// </summary>
public sealed class PodLogState
{
    public string Pod { get; set; } = "";

    public long NextSeq { get; set; }

    public string? CursorTimestamp { get; set; }

    public int CursorCount { get; set; }

    public bool Truncated { get; set; }
}
