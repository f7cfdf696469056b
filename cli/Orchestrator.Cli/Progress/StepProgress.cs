using Orchestrator.Client;

namespace Orchestrator.Cli.Progress;

/// <summary>
/// One step's progress as <c>run --follow</c> shows it: its targets in four buckets (succeeded; failed, timed out,
/// lost or stopped; running, dispatched, retrying or stopping; pending), those that ended otherwise (skipped,
/// cancelled), the rolling batch, and an estimate of the time left.
/// </summary>
public sealed record StepProgress(int Index, string Name, ExecutionStatus Status, long Succeeded, long Failed, long Running, long Pending, long Other,
    string? Batch, TimeSpan? Eta)
{
    public long Total => Succeeded + Failed + Running + Pending + Other;

    public long Done => Succeeded + Failed + Other;

    /// <summary>The target statuses counted as failed.</summary>
    public static readonly TargetStatus[] FailedStatuses = [TargetStatus.Failed, TargetStatus.TimedOut, TargetStatus.AgentOffline, TargetStatus.AgentLost, TargetStatus.Stopped];

    internal static readonly TargetStatus[] RunningStatuses = [TargetStatus.Dispatched, TargetStatus.Running, TargetStatus.Retrying, TargetStatus.Stopping];

    /// <summary>The rolling batch the step is in, of how many (<c>2/5</c>); null before the step starts (the server reports none then).</summary>
    internal static string? BatchOf(StepState step) =>
        step.Batch is { } batch && step.BatchCount is { } count && count > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{batch}/{count}") : null;
}
