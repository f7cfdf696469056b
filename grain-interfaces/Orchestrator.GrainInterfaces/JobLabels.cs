namespace Orchestrator.GrainInterfaces;

/// <summary>
/// How the jobs API (Harbor's job service contract) sees task instances: the labels it keeps on a run, and the
/// status names it reports. Harbor's statuses only move forward: Pending &lt; Scheduled &lt; Running &lt; finished.
/// </summary>
public static class JobLabels
{
    /// <summary>The job's name as submitted (a plan id or a built-in kind).</summary>
    public const string Name = "job.name";

    /// <summary>Generic, Scheduled or Periodic.</summary>
    public const string Kind = "job.kind";

    /// <summary>The <see cref="Kind"/> of a periodic job: its schedule carries it, and so does each execution.</summary>
    public const string Periodic = "Periodic";

    /// <summary>"true" when submitted with unique.</summary>
    public const string Unique = "job.unique";

    /// <summary>On an execution of a periodic job: the periodic job's id.</summary>
    public const string Upstream = "job.upstream";

    /// <summary>
    /// Harbor's name for a status, as its job service code spells them ("Pending", "Running", "Success", ...) and
    /// Harbor's core checks them: capitalised, though the job service README's samples write them in lower case.
    /// </summary>
    public static string Status(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Pending => "Pending",
        ExecutionStatus.Scheduled => "Scheduled",
        ExecutionStatus.Succeeded => "Success",
        ExecutionStatus.Failed => "Error",
        ExecutionStatus.Stopped => "Stopped",
        ExecutionStatus.Cancelled => "Cancelled",
        ExecutionStatus.Skipped => "Success",
        _ => "Running",
    };
}
