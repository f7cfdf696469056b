using Orchestrator.Containers.Execution;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Targets;

namespace Orchestrator.Grains.Containers;

/// <summary>
/// What a Job run's end means for its container target. <see cref="Reattach"/>: the run may go on by watching the same
/// Job again (the cluster could not be reached; the Job may still run), rather than by creating a new one.
/// </summary>
public readonly record struct ContainerVerdict(RunVerdict Verdict, int? ExitCode, string? Error, bool Reattach = false);

/// <summary>
/// The one place a <see cref="JobOutcome"/> becomes a target status: succeeded; failed with the failing pod's exit code
/// and Kubernetes' reason; past <c>activeDeadlineSeconds</c> timed out; an image that cannot be pulled failed without
/// retries (a wrong name stays wrong); a cluster that cannot be reached failed but re-attachable; a Job or Secret of
/// that name that is not ours failed without retries; a deleted Job cancelled if we deleted it, failed if someone else
/// did. Once the target is stopping (its step cancels it) only a success that came first stands; the rest is cancelled.
/// </summary>
public static class ContainerOutcomes
{
    public static ContainerVerdict Judge(JobOutcome outcome, bool stopping)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (stopping)
        {
            return outcome.Kind == JobOutcomeKind.Succeeded
                ? new(new RunVerdict(TargetStatus.Succeeded), 0, null)
                : new(new RunVerdict(TargetStatus.Cancelled), outcome.ExitCode, outcome.Kind == JobOutcomeKind.Cancelled ? "cancelled: the Job was deleted" : outcome.Message);
        }
        return outcome.Kind switch
        {
            JobOutcomeKind.Succeeded => new(new RunVerdict(TargetStatus.Succeeded), 0, null),
            JobOutcomeKind.Failed => new(new RunVerdict(TargetStatus.Failed), outcome.ExitCode, outcome.Message),
            JobOutcomeKind.DeadlineExceeded => new(new RunVerdict(TargetStatus.TimedOut), outcome.ExitCode, outcome.Message),
            JobOutcomeKind.ImagePullFailed => new(new RunVerdict(TargetStatus.Failed, MayRetry: false), null, "image pull failed: " + outcome.Message),
            JobOutcomeKind.ClusterUnreachable => new(new RunVerdict(TargetStatus.Failed), null, outcome.Message, Reattach: true),
            JobOutcomeKind.Conflict => new(new RunVerdict(TargetStatus.Failed, MayRetry: false), null, outcome.Message),
            _ => new(new RunVerdict(TargetStatus.Failed), null, "the Job was deleted outside the orchestrator: " + outcome.Message),
        };
    }
}
