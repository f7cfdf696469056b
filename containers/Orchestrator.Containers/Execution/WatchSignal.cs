using k8s;
using k8s.Models;

namespace Orchestrator.Containers.Execution;

/// <summary>What the watch loops hand the run's single reader: listings, events, reachability changes, timer ticks.</summary>
internal abstract record WatchSignal
{
    public sealed record JobListed(V1Job? Job) : WatchSignal;

    public sealed record JobChanged(WatchEventType Type, V1Job Job) : WatchSignal;

    public sealed record PodsListed(IReadOnlyList<V1Pod> Pods) : WatchSignal;

    public sealed record PodChanged(WatchEventType Type, V1Pod Pod) : WatchSignal;

    /// <summary>A watch failed to reach the server (<see cref="Error"/> set) or reached it again (null).</summary>
    public sealed record Reachability(string Source, Exception? Error) : WatchSignal;

    /// <summary>A timer the run set (image pull grace, unreachable grace) came due: look again.</summary>
    public sealed record Tick : WatchSignal;
}
