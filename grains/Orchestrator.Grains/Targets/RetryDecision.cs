using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Targets;

/// <summary>Whether a target runs again after a run ended, and after how long (the step's retry policy, per target).</summary>
public static class RetryDecision
{
    /// <summary>
    /// The back-off before the next run, or null when <paramref name="verdict"/> is the target's final status: it is
    /// not a failure (<see cref="StatusExtensions.IsFailure"/>: stopped, cancelled and skipped runs are not retried),
    /// a rule forbids retrying it, or <paramref name="retriesUsed"/> reached the policy's limit.
    /// </summary>
    public static TimeSpan? Backoff(RunVerdict verdict, int retriesUsed, RetryPolicy policy) =>
        verdict.Status.IsFailure() && !verdict.FailStep && verdict.MayRetry && retriesUsed < policy.Limit
            ? policy.BackoffBefore(retriesUsed + 1)
            : null;
}
