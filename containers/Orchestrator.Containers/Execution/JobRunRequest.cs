using k8s.Models;

namespace Orchestrator.Containers.Execution;

/// <summary>
/// One Job to run (or to attach to, when a Job of that name already exists and carries our labels), with the Secret
/// its pods read their secret parameters from.
/// </summary>
/// <param name="Job">The Job, named deterministically by the caller; its labels prove it is ours on a re-attach.</param>
/// <param name="Secret">The Secret to create before the Job, or null.</param>
public sealed record JobRunRequest(V1Job Job, V1Secret? Secret = null)
{
    /// <summary>Where each pod's log was read to by an earlier run (a silo that crashed mid-run); those lines are skipped.</summary>
    public IReadOnlyDictionary<string, PodLogCursor> LogCursors { get; init; } = new Dictionary<string, PodLogCursor>();
}

/// <summary>What a <see cref="JobRunner"/> tells its caller while it runs; each is optional and awaited.</summary>
public sealed class JobRunCallbacks
{
    /// <summary>The Job's counts changed.</summary>
    public Func<JobProgress, CancellationToken, ValueTask>? Progress { get; init; }

    /// <summary>A pod's log chunk; calls are never concurrent (one pod's lines arrive in order).</summary>
    public Func<PodLogChunk, CancellationToken, ValueTask>? Log { get; init; }

    /// <summary>Something the caller may want to log: a watch resumed, a 410 Gone re-list, the cluster unreachable.</summary>
    public Action<string>? Notice { get; init; }

    /// <summary>Whether the Job was created by this run (false: it existed and was attached to).</summary>
    public Action<bool>? Created { get; init; }
}
