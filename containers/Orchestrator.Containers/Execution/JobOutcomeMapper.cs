using k8s.Models;

namespace Orchestrator.Containers.Execution;

/// <summary>
/// Pure mapping from what the API server says about a Job and its pods to a <see cref="JobOutcome"/>, or null while it
/// runs. The Job's own conditions decide (the Job controller retries evicted and failed pods within its back-off
/// limit, so a failed pod alone ends nothing); only image pull errors are ours to call, after a grace.
/// </summary>
public static class JobOutcomeMapper
{
    /// <summary>The waiting reasons that mean the image cannot be pulled.</summary>
    public static readonly IReadOnlySet<string> ImagePullReasons =
        new HashSet<string>(StringComparer.Ordinal) { "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull" };

    /// <summary>The Job's counts from its status.</summary>
    public static JobProgress Progress(V1Job? job) =>
        job?.Status is { } s ? new JobProgress(s.Active ?? 0, s.Succeeded ?? 0, s.Failed ?? 0) : JobProgress.None;

    /// <summary>
    /// The outcome, or null while the Job runs. <paramref name="pullErrorSince"/> holds, per pod, when it was first
    /// seen in an image pull error.
    /// </summary>
    public static JobOutcome? Map(
        V1Job job,
        IReadOnlyCollection<V1Pod> pods,
        IReadOnlyDictionary<string, DateTimeOffset> pullErrorSince,
        DateTimeOffset now,
        TimeSpan imagePullGrace)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(pods);
        var progress = Progress(job);
        var name = job.Metadata.Name;
        if (job.Metadata.DeletionTimestamp is not null)
        {
            return new JobOutcome(JobOutcomeKind.Cancelled, $"Job {name} is being deleted", null, null, null, progress);
        }
        if (Condition(job, "Complete") is not null)
        {
            return new JobOutcome(JobOutcomeKind.Succeeded, $"Job {name} completed: {progress.Succeeded} pod(s) succeeded", null, 0, null, progress);
        }
        if (Condition(job, "Failed") is { } failed)
        {
            var pod = LastFailedPod(pods);
            var (exitCode, podReason) = pod is null ? (null, null) : Termination(pod);
            var kind = failed.Reason == "DeadlineExceeded" ? JobOutcomeKind.DeadlineExceeded : JobOutcomeKind.Failed;
            var message = $"Job {name} failed: {failed.Reason}" + (string.IsNullOrEmpty(failed.Message) ? "" : $" ({failed.Message})");
            if (pod is not null && kind == JobOutcomeKind.Failed)
            {
                message += $"; pod {pod.Metadata.Name} " + (exitCode is { } code ? $"exited {code}" : "failed") + (podReason is null ? "" : $" ({podReason})");
            }
            return new JobOutcome(kind, message, failed.Reason, kind == JobOutcomeKind.Failed ? exitCode : null, kind == JobOutcomeKind.Failed ? pod?.Metadata.Name : null, progress);
        }
        foreach (var pod in pods.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            if (PullError(pod) is { } waiting
                && pullErrorSince.TryGetValue(pod.Metadata.Name, out var since)
                && now - since >= imagePullGrace)
            {
                var image = pod.Spec?.Containers?.FirstOrDefault()?.Image;
                return new JobOutcome(
                    JobOutcomeKind.ImagePullFailed,
                    $"Job {name}: pod {pod.Metadata.Name} could not pull image '{image}' for {imagePullGrace}: {waiting.Reason}" + (string.IsNullOrEmpty(waiting.Message) ? "" : $" ({waiting.Message})"),
                    waiting.Reason,
                    null,
                    pod.Metadata.Name,
                    progress);
            }
        }
        return null;
    }

    /// <summary>The waiting state of the pod's first container stuck on its image, or null.</summary>
    public static V1ContainerStateWaiting? PullError(V1Pod pod) =>
        pod.Status?.ContainerStatuses?.Select(c => c.State?.Waiting).FirstOrDefault(w => w?.Reason is { } r && ImagePullReasons.Contains(r));

    /// <summary>Whether the pod has ended (succeeded or failed) or is being deleted.</summary>
    public static bool Ended(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase is "Succeeded" or "Failed";

    /// <summary>Whether the pod's container has started at some point, so it has a log to read.</summary>
    public static bool HasLog(V1Pod pod) =>
        pod.Status?.ContainerStatuses?.Any(c => c.State?.Running is not null || c.State?.Terminated is not null) == true;

    private static V1JobCondition? Condition(V1Job job, string type) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");

    private static V1Pod? LastFailedPod(IReadOnlyCollection<V1Pod> pods) =>
        pods.Where(p => p.Status?.Phase == "Failed")
            .OrderBy(p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated?.FinishedAt ?? p.Status?.StartTime ?? DateTime.MinValue)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .LastOrDefault();

    private static (int? ExitCode, string? Reason) Termination(V1Pod pod)
    {
        var terminated = pod.Status?.ContainerStatuses?.Select(c => c.State?.Terminated).FirstOrDefault(t => t is not null);
        return (terminated?.ExitCode, pod.Status?.Reason ?? terminated?.Reason);
    }
}
