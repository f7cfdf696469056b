using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;

namespace Orchestrator.Grains.Steps;

/// <summary>Output groups: counted with each report (<see cref="StepGrain.Count"/>), rebuilt from the host rows at a retry.</summary>
public sealed partial class StepGrain
{
    public ValueTask<StepGroupsView?> GetGroupsAsync() => ValueTask.FromResult<StepGroupsView?>(
        State.Definition is null ? null : OutputGrouping.View(State.Groups, State.Attempt));

    /// <summary>
    /// The groups a retry starts from: every final host row of the step with its group, except the hosts retried now
    /// (they are grouped again when they report). One scan of the step's rows, at a retry only.
    /// </summary>
    private async Task<OutputGroupSet> RegroupAsync(OutputGroupSet previous, List<string> retried)
    {
        var rows = await ScanAsync(IndexKinds.Target, GrainKey, FinalStatuses);
        var hosts = rows.Where(r => r.Data is not null && !r.Key.StartsWith('@'))
            .Select(r => (r.Key, (TargetStatus)r.Status, DomainJson.Deserialize<TargetIndexData>(r.Data!).Group));
        return OutputGrouping.Rebuild(previous, hosts, retried.ToHashSet(StringComparer.Ordinal));
    }
}
