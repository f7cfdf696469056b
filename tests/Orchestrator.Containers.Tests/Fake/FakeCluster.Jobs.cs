using System.Globalization;
using k8s.Models;

namespace Orchestrator.Containers.Tests.Fake;

/// <summary>The fake's Job controller and the commands a test gives its pods.</summary>
internal sealed partial class FakeCluster
{
    private readonly HashSet<string> _failingImages = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _logEpoch = new(TimeProvider.System.GetUtcNow().Date.AddHours(TimeProvider.System.GetUtcNow().Hour), TimeSpan.Zero);
    private long _logNanos;
    private int _podSequence;

    /// <summary>Pods of this image stay Pending in <c>ImagePullBackOff</c>.</summary>
    public void FailPullsOf(string image)
    {
        lock (_gate)
        {
            _failingImages.Add(image);
        }
    }

    /// <summary>Names of the Job's pods, oldest first, deleted ones included.</summary>
    public IReadOnlyList<string> PodsOf(string job, string ns = "default")
    {
        lock (_gate)
        {
            return [.. _pods.Values.Where(p => p.JobName == job && p.Pod.Metadata.NamespaceProperty == ns).OrderBy(p => p.Pod.Metadata.CreationTimestamp).ThenBy(p => p.Pod.Metadata.Name, StringComparer.Ordinal).Select(p => p.Pod.Metadata.Name)];
        }
    }

    /// <summary>Names of the Job's pods that are running (not ended, not deleted).</summary>
    public IReadOnlyList<string> RunningPodsOf(string job, string ns = "default")
    {
        lock (_gate)
        {
            return [.. _pods.Values.Where(p => p.JobName == job && p.Pod.Metadata.NamespaceProperty == ns && !p.Ended && p.Pod.Status.Phase == "Running").OrderBy(p => p.Pod.Metadata.Name, StringComparer.Ordinal).Select(p => p.Pod.Metadata.Name)];
        }
    }

    /// <summary>Whether the pod object still exists.</summary>
    public bool PodExists(string pod, string ns = "default")
    {
        lock (_gate)
        {
            return _pods.TryGetValue((ns, pod), out var p) && !p.Deleted;
        }
    }

    /// <summary>A copy of the pod as stored, or null.</summary>
    public V1Pod? Pod(string pod, string ns = "default")
    {
        lock (_gate)
        {
            return _pods.TryGetValue((ns, pod), out var p) ? Clone(p.Pod) : null;
        }
    }

    /// <summary>The pod writes these lines to its log, all with one kubelet timestamp.</summary>
    public void Log(string pod, params string[] lines)
    {
        lock (_gate)
        {
            var fake = _pods[("default", pod)];
            _logNanos += 1_000_500;
            var at = _logEpoch.AddTicks(_logNanos / 100);
            var fraction = (_logNanos % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
            var stamp = at.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "") + "Z";
            fake.Log.AddRange(lines.Select(l => (stamp, l)));
            WakeLogs();
        }
    }

    /// <summary>The pod's container exits 0.</summary>
    public void Succeed(string pod) => Terminate(pod, 0, "Completed", podReason: null);

    /// <summary>The pod's container exits with this code.</summary>
    public void Fail(string pod, int exitCode, string reason = "Error") => Terminate(pod, exitCode, reason, podReason: null);

    /// <summary>The pod is evicted (node pressure, drain): Failed with reason Evicted and a DisruptionTarget condition.</summary>
    public void Evict(string pod) => Terminate(pod, 137, "Error", podReason: "Evicted");

    /// <summary>The Job ran past its activeDeadlineSeconds: Failed with reason DeadlineExceeded, its running pods killed.</summary>
    public void ExceedDeadline(string job, string ns = "default")
    {
        lock (_gate)
        {
            var stored = _jobs[(ns, job)];
            if (stored.Spec.ActiveDeadlineSeconds is null)
            {
                throw new InvalidOperationException($"Job {job} has no activeDeadlineSeconds");
            }
            Finish(stored, "Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
        }
    }

    private void Terminate(string pod, int exitCode, string reason, string? podReason)
    {
        lock (_gate)
        {
            var fake = _pods[("default", pod)];
            if (fake.Ended)
            {
                throw new InvalidOperationException($"pod {pod} has already ended");
            }
            var now = TimeProvider.System.GetUtcNow().UtcDateTime;
            var status = fake.Pod.Status;
            status.Phase = exitCode == 0 ? "Succeeded" : "Failed";
            status.Reason = podReason;
            var container = status.ContainerStatuses[0];
            container.Ready = false;
            container.State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = exitCode, Reason = reason, StartedAt = container.State?.Running?.StartedAt, FinishedAt = now } };
            if (podReason == "Evicted")
            {
                status.Conditions = [.. status.Conditions ?? [], new V1PodCondition { Type = "DisruptionTarget", Status = "True", Reason = "EvictionByEvictionAPI", LastTransitionTime = now }];
            }
            Record("MODIFIED", "Pod", fake.Pod);
            WakeLogs();
            var job = _jobs[("default", fake.JobName)];
            if (exitCode != 0)
            {
                ApplyPodFailurePolicy(job, fake, exitCode);
            }
            Reconcile(job);
        }
    }

    /// <summary>The first matching rule decides: FailJob fails the Job, Ignore keeps the failure off the back-off count.</summary>
    private void ApplyPodFailurePolicy(V1Job job, FakePod pod, int exitCode)
    {
        var rules = job.Spec.PodFailurePolicy?.Rules ?? [];
        for (var index = 0; index < rules.Count; index++)
        {
            var rule = rules[index];
            var matched = rule.OnExitCodes is { } codes
                ? codes.OperatorProperty == "In" ? codes.Values.Contains(exitCode) : !codes.Values.Contains(exitCode)
                : rule.OnPodConditions?.Any(c => pod.Pod.Status.Conditions?.Any(pc => pc.Type == c.Type && pc.Status == (c.Status ?? "True")) == true) == true;
            if (!matched)
            {
                continue;
            }
            switch (rule.Action)
            {
                case "FailJob":
                    Finish(job, "Failed", "PodFailurePolicy", $"Container {pod.Pod.Spec.Containers[0].Name} for pod {pod.Pod.Metadata.NamespaceProperty}/{pod.Pod.Metadata.Name} failed with exit code {exitCode} matching FailJob rule at index {index}");
                    break;
                case "Ignore":
                    pod.Ignored = true;
                    break;
            }
            return;
        }
    }

    /// <summary>
    /// Counts the Job's pods and moves it on: Complete once <c>completions</c> pods succeeded, Failed with
    /// BackoffLimitExceeded once more than <c>backoffLimit</c> counted failures, else starts pods up to
    /// min(parallelism, completions - succeeded). An <c>Indexed</c> Job counts succeeded indexes instead (a pod of
    /// each index 0 to completions - 1, replaced with the same index when it fails) and reports them in
    /// <c>status.completedIndexes</c>, as the Job controller does.
    /// </summary>
    private void Reconcile(V1Job job)
    {
        if (job.Spec.CompletionMode == "Indexed")
        {
            ReconcileIndexed(job);
            return;
        }
        if (IsFinished(job))
        {
            return;
        }
        var pods = _pods.Values.Where(p => p.JobName == job.Metadata.Name && !p.Deleted).ToList();
        var succeeded = pods.Count(p => p.Pod.Status.Phase == "Succeeded");
        var failed = _pods.Values.Count(p => p.JobName == job.Metadata.Name && p.Pod.Status.Phase == "Failed" && !p.Ignored);
        var active = pods.Count(p => !p.Ended);
        var completions = job.Spec.Completions ?? 1;
        var parallelism = job.Spec.Parallelism ?? 1;
        var backoffLimit = job.Spec.BackoffLimit ?? 6;
        job.Status.Succeeded = succeeded;
        job.Status.Failed = failed;
        if (succeeded >= completions)
        {
            Finish(job, "Complete", null, null);
            return;
        }
        if (failed > backoffLimit)
        {
            Finish(job, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
            return;
        }
        var wanted = Math.Min(parallelism, completions - succeeded) - active;
        for (var i = 0; i < wanted; i++)
        {
            CreatePod(job);
        }
        job.Status.Active = active + Math.Max(0, wanted);
        Record("MODIFIED", "Job", job);
    }

    private void ReconcileIndexed(V1Job job)
    {
        if (IsFinished(job))
        {
            return;
        }
        var pods = _pods.Values.Where(p => p.JobName == job.Metadata.Name && !p.Deleted).ToList();
        var completions = job.Spec.Completions ?? throw new InvalidOperationException($"Indexed Job {job.Metadata.Name} has no completions");
        var done = pods.Where(p => p.Pod.Status.Phase == "Succeeded").Select(p => p.Index!.Value).ToHashSet();
        var running = pods.Where(p => !p.Ended).Select(p => p.Index!.Value).ToHashSet();
        var failed = _pods.Values.Count(p => p.JobName == job.Metadata.Name && p.Pod.Status.Phase == "Failed" && !p.Ignored);
        job.Status.Succeeded = done.Count;
        job.Status.Failed = failed;
        job.Status.CompletedIndexes = Ranges(done);
        if (done.Count >= completions)
        {
            Finish(job, "Complete", null, null);
            return;
        }
        if (failed > (job.Spec.BackoffLimit ?? 6))
        {
            Finish(job, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
            return;
        }
        var free = (job.Spec.Parallelism ?? 1) - running.Count;
        foreach (var index in Enumerable.Range(0, completions).Where(i => !done.Contains(i) && !running.Contains(i)).Take(Math.Max(0, free)))
        {
            CreatePod(job, index);
            running.Add(index);
        }
        job.Status.Active = running.Count;
        Record("MODIFIED", "Job", job);
    }

    /// <summary><c>0-2,4</c>: the indexes as the Job's <c>completedIndexes</c> writes them; null when none.</summary>
    private static string? Ranges(IEnumerable<int> indexes)
    {
        var parts = new List<string>();
        foreach (var run in indexes.Order().Aggregate(new List<List<int>>(), (runs, i) =>
        {
            if (runs.Count > 0 && runs[^1][^1] == i - 1)
            {
                runs[^1].Add(i);
            }
            else
            {
                runs.Add([i]);
            }
            return runs;
        }))
        {
            parts.Add(run.Count == 1 ? run[0].ToString(CultureInfo.InvariantCulture) : $"{run[0]}-{run[^1]}");
        }
        return parts.Count == 0 ? null : string.Join(',', parts);
    }

    private static bool IsFinished(V1Job job) => job.Status.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true;

    private void Finish(V1Job job, string type, string? reason, string? message)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        foreach (var pod in _pods.Values.Where(p => p.JobName == job.Metadata.Name && !p.Ended).ToList())
        {
            DeletePod(pod);
        }
        job.Status.Active = 0;
        job.Status.Conditions = [new V1JobCondition { Type = type, Status = "True", Reason = reason, Message = message, LastTransitionTime = now, LastProbeTime = now }];
        if (type == "Complete")
        {
            job.Status.CompletionTime = now;
        }
        Record("MODIFIED", "Job", job);
    }

    private void CreatePod(V1Job job, int? index = null)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var name = index is { } i ? $"{job.Metadata.Name}-{i}-{++_podSequence:D5}" : $"{job.Metadata.Name}-{++_podSequence:D5}";
        var spec = Clone(job.Spec.Template.Spec);
        var annotations = new Dictionary<string, string>(job.Spec.Template.Metadata?.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var labels = new Dictionary<string, string>(job.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["batch.kubernetes.io/controller-uid"] = job.Metadata.Uid,
            ["batch.kubernetes.io/job-name"] = job.Metadata.Name,
            ["controller-uid"] = job.Metadata.Uid,
            ["job-name"] = job.Metadata.Name,
        };
        if (index is { } completionIndex)
        {
            // As the Job controller does for an Indexed Job: the index as annotation and label, in each container's
            // environment (from the annotation, through the downward API), and in the pod's hostname.
            var value = completionIndex.ToString(CultureInfo.InvariantCulture);
            annotations["batch.kubernetes.io/job-completion-index"] = value;
            labels["batch.kubernetes.io/job-completion-index"] = value;
            spec.Hostname = $"{job.Metadata.Name}-{value}";
            foreach (var c in spec.Containers)
            {
                c.Env = [.. c.Env ?? [], new V1EnvVar { Name = "JOB_COMPLETION_INDEX", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }];
            }
        }
        var container = spec.Containers[0];
        var pullFails = _failingImages.Contains(container.Image);
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = job.Metadata.NamespaceProperty,
                Uid = Guid.NewGuid().ToString(),
                CreationTimestamp = now,
                Labels = labels,
                Annotations = annotations,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name, Uid = job.Metadata.Uid, Controller = true }],
            },
            Spec = spec,
            Status = new V1PodStatus
            {
                Phase = pullFails ? "Pending" : "Running",
                StartTime = now,
                ContainerStatuses =
                [
                    new V1ContainerStatus
                    {
                        Name = container.Name,
                        Image = container.Image,
                        ImageID = "",
                        Ready = !pullFails,
                        RestartCount = 0,
                        State = pullFails
                            ? new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ImagePullBackOff", Message = $"Back-off pulling image \"{container.Image}\"" } }
                            : new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } },
                    },
                ],
            },
        };
        _pods[(job.Metadata.NamespaceProperty, name)] = new FakePod(pod, job.Metadata.Name) { Index = index };
        Record("ADDED", "Pod", pod);
    }

    private void DeletePod(FakePod pod)
    {
        if (pod.Deleted)
        {
            return;
        }
        pod.Deleted = true;
        pod.Pod.Metadata.DeletionTimestamp = TimeProvider.System.GetUtcNow().UtcDateTime;
        Record("DELETED", "Pod", pod.Pod);
        WakeLogs();
    }
}
