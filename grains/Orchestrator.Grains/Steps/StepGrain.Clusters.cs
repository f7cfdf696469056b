using Orchestrator.Containers.Clusters;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Selectors;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Steps;

/// <summary>
/// A container step's targets are clusters: those it names and those its selector matches among the registered ones
/// (the cluster index rows, which carry each cluster's capacity and tracked health), picked by <see cref="ClusterPicker"/>.
/// A cluster's load is the count of its <see cref="ClusterIndex.Jobs"/> rows: container targets write one while their Job runs.
/// </summary>
public sealed partial class StepGrain
{
    private TargetKind TargetKindOfStep => State.Definition?.Kind == StepKind.Container ? TargetKind.Container : TargetKind.Host;

    /// <summary>The target <paramref name="name"/> of this step: a host target, or a cluster's container target.</summary>
    private ITargetGrain TargetGrain(string name) => TargetGrains.Get(GrainFactory, TargetKindOfStep, GrainKeys.Target(GrainKey, name));

    /// <summary>The clusters the step runs on, in name order; none with why each candidate was passed over.</summary>
    private async Task<(List<string> Clusters, string PassedOver)> ResolveClustersAsync()
    {
        var spec = State.Definition!.Targets ?? new TargetSpec();
        var selector = spec.ClusterSelector is { } text ? LabelSelector.Parse(text) : null;
        var named = spec.Clusters.ToHashSet(StringComparer.Ordinal);
        var candidates = new List<ClusterCandidate>();
        foreach (var row in await ScanAsync(ClusterIndex.Kind, "", null))
        {
            if (row.Data is null || DomainJson.Deserialize<ClusterView>(row.Data) is not { } view
                || !(named.Contains(view.Name) || (selector?.Matches(view.Spec.Labels) ?? false)))
            {
                continue;
            }
            candidates.Add(new ClusterCandidate(view.Name, view.Spec.Labels, view.Spec.Capacity, await RunningJobsAsync(view.Name, view.Spec.Capacity), HealthOf(view)));
        }
        var mode = spec.Dispatch == ClusterDispatch.Each ? ClusterPickMode.Each : ClusterPickMode.One;
        var pick = ClusterPicker.Pick(candidates, null, [.. candidates.Select(c => c.Name)], mode);
        var unregistered = named.Where(n => candidates.All(c => c.Name != n)).Order(StringComparer.Ordinal).Select(n => $"{n} is not registered").ToList();
        // "No registered cluster matches" says nothing more when the names it missed are listed as unregistered.
        var reasons = candidates.Count > 0 || unregistered.Count == 0 ? [pick.Problem ?? ""] : new List<string>();
        reasons.AddRange(unregistered);
        return ([.. pick.Chosen], string.Join("; ", reasons));
    }

    /// <summary>Our Jobs running on the cluster, counted up to one past its capacity (enough to know it is full).</summary>
    private async Task<int> RunningJobsAsync(string cluster, int capacity)
    {
        var rows = await Indexes.QueryAsync(new IndexQuery(ClusterIndex.Jobs, [cluster]) { Limit = capacity + 1, KeysOnly = true });
        return rows.Count;
    }

    private static ClusterHealthStatus HealthOf(ClusterView view) =>
        view.Health is { } health && Enum.TryParse<ClusterHealthStatus>(health.Status, out var status) ? status : ClusterHealthStatus.Unknown;
}
