using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Rolling;

namespace Orchestrator.Grains.Steps;

/// <summary>What a step does once a batch is done: start the next, pause for an operator, or finish.</summary>
public enum BatchEndKind
{
    NextBatch,
    Pause,
    Finish,
}

/// <summary>The decision at a batch's end; <see cref="Reason"/> is what the step shows (null: keep it as it is).</summary>
public readonly record struct BatchEnd(BatchEndKind Kind, string? Reason = null, ExecutionStatus Final = ExecutionStatus.Succeeded)
{
    public static BatchEnd Next { get; } = new(BatchEndKind.NextBatch);

    public static BatchEnd Pause(string reason) => new(BatchEndKind.Pause, reason);

    public static BatchEnd Finish(ExecutionStatus final, string? reason) => new(BatchEndKind.Finish, reason, final);
}

/// <summary>
/// A step's rollout: its targets in positions 0..total-1, cut into batches by the rolling expression; within the
/// current batch, positions are dispatched in order while fewer than <see cref="ExecutionSpec.Parallelism"/> run.
/// </summary>
public static class Rollout
{
    /// <summary>The batch sizes for <paramref name="total"/> targets: the rolling expression's, or one batch of all.</summary>
    public static List<int> BatchSizes(RollingSpec? rolling, int total) =>
        rolling is { } spec ? [.. RollingExpression.Parse(spec.Expression).BatchSizes(total)] : [total];

    /// <summary>
    /// How many positions to dispatch now, from <paramref name="next"/>: up to the batch's end, and no more than the
    /// parallelism leaves free beside the <paramref name="running"/> ones (none when more run than it allows).
    /// </summary>
    public static int DispatchCount(int next, int batchEnd, int running, int? parallelism)
    {
        var limit = batchEnd;
        if (parallelism is { } max)
        {
            limit = Math.Min(limit, next + Math.Max(0, max - running));
        }
        return Math.Max(0, limit - next);
    }

    /// <summary>A batch is done when all its positions were dispatched and none still runs.</summary>
    public static bool BatchDone(int next, int batchEnd, int running) => next == batchEnd && running == 0;

    /// <summary>
    /// What follows batch <paramref name="batch"/> (0-based) of <paramref name="batchCount"/>: after the last, the
    /// step finishes (<see cref="StepPolicy.AtEnd"/>); after another, the rolling mode decides — <c>confirm</c>
    /// always waits for an operator, <c>pauseOnFailure</c> waits when the batch had a failed target, <c>continue</c>
    /// (and a step without rolling) goes on.
    /// </summary>
    public static BatchEnd AfterBatch(ExecutionSpec execution, int batch, int batchCount, int batchFailed, int total, int succeeded)
    {
        if (batch + 1 >= batchCount)
        {
            var (final, reason) = StepPolicy.AtEnd(execution, total, succeeded);
            return BatchEnd.Finish(final, reason);
        }
        var mode = execution.Rolling?.Mode ?? RollingMode.Continue;
        if (mode == RollingMode.Confirm)
        {
            return BatchEnd.Pause($"Batch {batch + 1} of {batchCount} done; waiting for confirmation to continue.");
        }
        if (mode == RollingMode.PauseOnFailure && batchFailed > 0)
        {
            return BatchEnd.Pause($"Batch {batch + 1} of {batchCount} had {batchFailed} failed targets; paused.");
        }
        return BatchEnd.Next;
    }
}
