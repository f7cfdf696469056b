using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Instances;

/// <summary>The order a run takes through its steps, and what each step's status means for the run.</summary>
public static class StepSequence
{
    /// <summary>The reason a step skipped ahead of time shows once its turn has passed.</summary>
    public const string SkippedAhead = "skipped before it started";

    /// <summary>
    /// The step to start at or after <paramref name="from"/>: steps skipped ahead of time are passed over, except on a
    /// retry, which runs the step it names. <c>steps.Count</c> means none is left: the run succeeded.
    /// </summary>
    public static int NextToStart(IReadOnlyList<StepEntry> steps, int from, AttemptSet? retry)
    {
        var index = from;
        while (retry is null && index < steps.Count && steps[index].SkipRequested)
        {
            index++;
        }
        return index;
    }

    /// <summary>
    /// Whether the run shows a step's status that is not final as its own: a step waiting on people (approval, paused
    /// rollout) yes; a step stopping on its own (budget, deadline) is still running as far as the run goes, and a run
    /// that is stopping stays so.
    /// </summary>
    public static bool RunShows(ExecutionStatus run, ExecutionStatus step) => run != ExecutionStatus.Stopping && step != ExecutionStatus.Stopping;

    /// <summary>
    /// A step's final status while the run goes on: null to start the next step (it succeeded, was skipped, or failed
    /// with <c>continueOnError</c>), else the reason the run fails with.
    /// </summary>
    public static string? RunFailure(StepDefinition definition, ExecutionStatus status, string? reason) => status switch
    {
        ExecutionStatus.Succeeded or ExecutionStatus.Skipped => null,
        ExecutionStatus.Failed when definition.ContinueOnError => null,
        _ => $"step '{definition.Name}' {EnumText.Camel(status)}" + (reason is { } why ? $": {why}" : ""),
    };
}
