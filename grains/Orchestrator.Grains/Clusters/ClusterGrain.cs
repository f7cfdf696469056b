using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Clusters;

/// <summary>State of a registered cluster: its definition (credentials as file references only) and who set it when.</summary>
public sealed class ClusterState
{
    public ClusterSpec? Spec { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";
}

/// <summary>
/// A registered Kubernetes cluster (see <see cref="IClusterGrain"/>). Its index row, written with its state, is what the
/// cluster list (and later the balanced-dispatch picker) reads. Health is not kept here: the runner probes clusters.
/// </summary>
[GrainType("cluster")]
public sealed class ClusterGrain : Orchestrator.Runtime.Durable.DurableGrain<ClusterState>, IClusterGrain
{
    public Task<bool> Put(PutCluster command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var created = State.Spec is null;
        var now = Clock.GetUtcNow();
        if (created)
        {
            State.CreatedAt = now;
        }

        State.Spec = command.Spec with { Labels = new Dictionary<string, string>(command.Spec.Labels, StringComparer.Ordinal) };
        State.UpdatedAt = now;
        State.UpdatedBy = command.By;
        WriteIndex(new IndexRow(ClusterIndex.Kind, "", GrainKey, 0, DomainJson.Serialize(View())));
        return Task.FromResult(created);
    }

    public Task<bool> Delete(string by)
    {
        if (State.Spec is null)
        {
            return Task.FromResult(false);
        }

        State.Spec = null;
        State.UpdatedAt = Clock.GetUtcNow();
        State.UpdatedBy = by;
        DeleteIndex(ClusterIndex.Kind, "", GrainKey);
        return Task.FromResult(true);
    }

    public ValueTask<ClusterView?> GetAsync() => ValueTask.FromResult(State.Spec is null ? null : View());

    private ClusterView View() => new(GrainKey, State.Spec!, State.CreatedAt, State.UpdatedAt, State.UpdatedBy);
}
