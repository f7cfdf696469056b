namespace Orchestrator.GrainInterfaces;

/// <summary>
/// How the jobs API (Harbor's job service contract) sees task instances: the labels it keeps on a run, and the
/// status names it reports. Harbor's statuses only move forward: pending &lt; scheduled &lt; running &lt; finished.
/// </summary>
public static class JobLabels
{
    /// <summary>The job's name as submitted (a plan id or a built-in kind).</summary>
    public const string Name = "job.name";

    /// <summary>Generic, Scheduled or Periodic.</summary>
    public const string Kind = "job.kind";

    /// <summary>"true" when submitted with unique.</summary>
    public const string Unique = "job.unique";

    /// <summary>On an execution of a periodic job: the periodic job's id.</summary>
    public const string Upstream = "job.upstream";

    /// <summary>Harbor's name for a status.</summary>
    public static string Status(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Pending => "pending",
        ExecutionStatus.Scheduled => "scheduled",
        ExecutionStatus.Succeeded => "success",
        ExecutionStatus.Failed => "error",
        ExecutionStatus.Stopped => "stopped",
        ExecutionStatus.Cancelled => "cancelled",
        ExecutionStatus.Skipped => "success",
        _ => "running",
    };
}
