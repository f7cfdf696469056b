using System.Globalization;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orleans;

namespace Orchestrator.Examples.GrainClient;

/// <summary>
/// Follows a task instance through its grains until it ends, printing each change once: the instance's status, each
/// step's status and counters (<see cref="IStepGrain"/>), and the status of each target the plan names by host
/// (<see cref="IHostTargetGrain"/>) or, for a container step, by cluster (<see cref="IContainerTargetGrain"/>, with its
/// Job's name); targets chosen by a selector show in the step's counters only.
/// </summary>
public sealed class RunFollower(IGrainFactory grains, TextWriter output, TimeProvider clock)
{
    /// <summary>Targets followed one by one per step; beyond that the step's counters tell.</summary>
    public const int MaxTargetsShown = 20;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<string, string> _shown = new(StringComparer.Ordinal);

    /// <summary>The instance's last view once it is final; null when <paramref name="cancellationToken"/> ends first.</summary>
    public async Task<TaskInstanceView?> FollowAsync(string instanceId, PlanDefinition plan, CancellationToken cancellationToken)
    {
        var instance = grains.GetGrain<ITaskInstanceGrain>(instanceId);
        using var timer = new PeriodicTimer(Poll, clock);
        while (true)
        {
            var view = await instance.GetAsync();
            if (view is not null)
            {
                await ShowAsync(view, plan);
                if (view.Status.IsFinal())
                {
                    return view;
                }
            }
            try
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    private async Task ShowAsync(TaskInstanceView view, PlanDefinition plan)
    {
        // The instance's final status last, after the steps and targets that led to it.
        if (!view.Status.IsFinal())
        {
            Show($"instance {view.Id}", $"{view.Status}");
        }
        foreach (var step in view.Steps.Where(s => s.Status != ExecutionStatus.Pending))
        {
            var stepKey = GrainKeys.Step(view.Id, step.Index);
            var counts = await grains.GetGrain<IStepGrain>(stepKey).GetAsync();
            var detail = counts is null || counts.TotalTargets == 0
                ? ""
                : string.Create(CultureInfo.InvariantCulture, $", {counts.Succeeded}/{counts.TotalTargets} succeeded, {counts.Failed} failed");
            Show($"step {step.Index} {step.Name}", $"{step.Status}{detail}{(step.Reason is { } reason ? $" ({reason})" : "")}");
            // A container step's targets are clusters (a balanced step runs on one of those named), each a Job.
            var definition = step.Index < plan.Steps.Count ? plan.Steps[step.Index] : null;
            var kind = definition?.Kind == StepKind.Container ? TargetKind.Container : TargetKind.Host;
            var names = (kind == TargetKind.Container ? definition?.Targets?.Clusters : definition?.Targets?.Hosts) ?? [];
            foreach (var name in names.Take(MaxTargetsShown))
            {
                var target = await TargetGrains.Get(grains, kind, GrainKeys.Target(stepKey, name)).GetAsync();
                if (target is not null)
                {
                    var exit = target.Attempts.Count > 0 && target.Attempts[^1].ExitCode is { } code
                        ? string.Create(CultureInfo.InvariantCulture, $", exit code {code}")
                        : "";
                    var job = target.Container is { } run ? $", cluster {name}, Job {run.Job}" : "";
                    Show($"target {step.Index} {step.Name} {name}", $"{target.Status}{exit}{job}");
                }
            }
        }
        if (view.Status.IsFinal())
        {
            Show($"instance {view.Id}", $"{view.Status}");
        }
    }

    /// <summary>Prints "<paramref name="subject"/>: <paramref name="state"/>" when the subject's state changed.</summary>
    private void Show(string subject, string state)
    {
        if (_shown.TryGetValue(subject, out var before) && before == state)
        {
            return;
        }
        _shown[subject] = state;
        output.WriteLine($"{subject}: {state}");
    }
}
