using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.WebConsole; // not ".Console": that would hide System.Console in the whole assembly

/// <summary>
/// What the console's live view of a run shows: the fields of <c>GET /api/v1/task-instances/{id}</c> (status, steps
/// with target counts by status and rolling batch, control actions) plus, per step, the step grain's approval
/// decisions (who approved or rejected, why). One reader per event stream: it keeps the counts of steps that are final,
/// so that a finished step costs nothing on later reads (a retry changes the step's attempt or status, and recounts).
/// </summary>
internal sealed class InstanceSnapshot(GrainClient client, string id)
{
    private readonly Dictionary<int, (int Attempt, ExecutionStatus Status, object? Step)> _finalSteps = [];

    /// <summary>The run as of now; null when there is no such instance (or it was deleted).</summary>
    public async Task<(object Body, ExecutionStatus Status)?> ReadAsync(CancellationToken cancellationToken)
    {
        var view = await client.GetGrain<ITaskInstanceGrain>(id).GetAsync();
        if (view is null)
        {
            return null;
        }
        var steps = new List<object?>();
        foreach (var step in view.Steps)
        {
            if (_finalSteps.TryGetValue(step.Index, out var known) && known.Attempt == step.Attempt && known.Status == step.Status)
            {
                steps.Add(known.Step);
                continue;
            }
            var shown = await StepAsync(step, cancellationToken);
            if (step.Status.IsFinal())
            {
                _finalSteps[step.Index] = (step.Attempt, step.Status, shown);
            }
            steps.Add(shown);
        }
        var body = new
        {
            view.Id,
            view.Namespace,
            view.PlanId,
            view.PlanVersion,
            view.PlanName,
            view.Status,
            view.CurrentStep,
            view.CreatedAt,
            view.StartedAt,
            view.FinishedAt,
            view.NotBefore,
            view.Schedule,
            view.Revision,
            view.Reason,
            view.By,
            steps,
            actions = view.Actions,
        };
        return (body, view.Status);
    }

    private async Task<object> StepAsync(StepSummary step, CancellationToken cancellationToken)
    {
        var counts = await client.Indexes.CountByStatusAsync(IndexKinds.Target, GrainKeys.Step(id, step.Index), cancellationToken);
        // A step not started has no grain state (and asking would activate its grain).
        var rollout = step.Status == ExecutionStatus.Pending ? null : await client.GetGrain<IStepGrain>(GrainKeys.Step(id, step.Index)).GetAsync();
        return new
        {
            step.Index,
            step.Name,
            step.Kind,
            step.Status,
            step.Attempt,
            step.Reason,
            targets = counts.ToDictionary(c => JsonName((TargetStatus)c.Key), c => c.Value),
            batch = rollout?.Batch,
            batchCount = rollout?.BatchCount,
            totalTargets = rollout?.TotalTargets,
            approvals = rollout is { Approvals.Count: > 0 } ? rollout.Approvals : null,
        };
    }

    private static string JsonName(TargetStatus status)
    {
        var name = status.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
