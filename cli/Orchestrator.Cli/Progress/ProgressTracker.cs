using Orchestrator.Client;

namespace Orchestrator.Cli.Progress;

/// <summary>
/// Turns the watch's snapshots into per-step progress with a time-left estimate: the rate is the targets a step has
/// finished divided by the time since it was first seen working, and the estimate is its unfinished targets at that
/// rate. Pure: the caller passes the time of each snapshot.
/// </summary>
public sealed class ProgressTracker
{
    private readonly Dictionary<(int Step, int Attempt), DateTimeOffset> _started = [];

    /// <summary>The progress of every step of <paramref name="progress"/>, seen at <paramref name="now"/>.</summary>
    public IReadOnlyList<StepProgress> Update(InstanceProgress progress, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return progress.Steps.Select(step => Of(step, now)).ToList();
    }

    private StepProgress Of(StepState step, DateTimeOffset now)
    {
        var succeeded = step.Count(TargetStatus.Succeeded);
        var failed = StepProgress.FailedStatuses.Sum(step.Count);
        var running = StepProgress.RunningStatuses.Sum(step.Count);
        var pending = step.Count(TargetStatus.Pending);
        var other = step.Total - succeeded - failed - running - pending;
        var done = succeeded + failed + other;
        TimeSpan? eta = null;
        var key = (step.Index, step.Attempt);
        if (step.Status == ExecutionStatus.Running && (running > 0 || done > 0))
        {
            if (!_started.TryGetValue(key, out var started))
            {
                _started[key] = started = now;
            }
            var elapsed = now - started;
            var left = running + pending;
            if (done > 0 && left > 0 && elapsed > TimeSpan.Zero)
            {
                eta = TimeSpan.FromSeconds(Math.Ceiling(elapsed.TotalSeconds / done * left));
            }
        }
        return new StepProgress(step.Index, step.Name, step.Status, succeeded, failed, running, pending, other, StepProgress.BatchOf(step), eta);
    }
}
