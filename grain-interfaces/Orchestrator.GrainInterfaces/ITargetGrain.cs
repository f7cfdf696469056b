using Orchestrator.Runtime.Durable;
using Orleans.Concurrency;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// What a step asks of each of its targets, whatever runs the work: a host's agent (<see cref="IHostTargetGrain"/>,
/// grain type <see cref="TargetGrains.HostType"/>) or a Kubernetes Job on a cluster (<see cref="IContainerTargetGrain"/>,
/// <see cref="TargetGrains.ContainerType"/>). Both have the key <see cref="GrainKeys.Target"/> and report the same
/// <see cref="TargetReport"/>s, so the step counts, rolls out, cancels and retries them alike.
/// </summary>
public interface ITargetGrain : IGrainWithStringKey, IDeadLetterObserver
{
    /// <summary>Starts the target for a step attempt; a start of an attempt it already has (a re-send) changes nothing.</summary>
    [DomainIdempotent]
    Task Start(StartTarget command);

    /// <summary>Stops the target for this step attempt: never starts if pending, killed if running.</summary>
    Task Cancel(int stepAttempt, TargetStatus notStartedStatus);

    /// <summary>From its deleted step: drops the target's state, index rows and log streams; it then reads as absent.</summary>
    Task Delete();

    [ReadOnly]
    ValueTask<HostTargetView?> GetAsync();

    /// <summary>
    /// The final report this target made for <paramref name="stepAttempt"/>, or null if it made none: for a step that
    /// found the target's row final but never heard its report (the call after the target's write was lost).
    /// </summary>
    [ReadOnly]
    ValueTask<TargetReport?> GetReportAsync(int stepAttempt);
}

/// <summary>
/// One container step on one registered cluster, key <see cref="GrainKeys.Target"/> with the cluster's name as the
/// target name: it runs the step's Kubernetes Job there (one per run, named from instance, step, cluster and run),
/// follows it and its pods, stores the pods' logs and reports the Job's end as a target's.
/// </summary>
public interface IContainerTargetGrain : ITargetGrain
{
}

/// <summary>What runs a target's work.</summary>
[GenerateSerializer]
public enum TargetKind
{
    /// <summary>A host's agent.</summary>
    Host = 0,

    /// <summary>A Kubernetes Job on a registered cluster.</summary>
    Container = 1,
}

/// <summary>The two target grain types and how to address one by kind.</summary>
public static class TargetGrains
{
    /// <summary>The grain type of <see cref="IHostTargetGrain"/>.</summary>
    public const string HostType = "target";

    /// <summary>The grain type of <see cref="IContainerTargetGrain"/>.</summary>
    public const string ContainerType = "ctarget";

    /// <summary>The target of that kind with key <paramref name="targetKey"/>.</summary>
    public static ITargetGrain Get(IGrainFactory grains, TargetKind kind, string targetKey)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ITargetGrain>(GrainId.Create(kind == TargetKind.Container ? ContainerType : HostType, targetKey));
    }
}
