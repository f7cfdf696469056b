using System.Net;
using k8s;
using k8s.Models;

namespace Orchestrator.Containers.Execution;

/// <summary>
/// Runs one Kubernetes Job on one cluster: creates it (and its Secret) idempotently, watches it and its pods until it
/// ends, streams its pods' logs, and maps the end to a <see cref="JobOutcome"/>.
/// </summary>
/// <remarks>
/// Cancelling the token of <see cref="RunAsync"/> only stops watching (a silo shutting down must not kill the Job);
/// <see cref="CancelAsync"/> deletes it, and a run watching it then ends as <see cref="JobOutcomeKind.Cancelled"/>.
/// A second run for the same Job name (a restarted silo) finds the Job by its name, checks it is ours by its labels
/// and watches it instead of creating another.
/// </remarks>
public sealed partial class JobRunner
{
    private readonly IKubernetes _client;
    private readonly ClusterConnection _cluster;
    private readonly JobRunOptions _options;
    private readonly TimeProvider _time;

    public JobRunner(IKubernetes client, ClusterConnection cluster, JobRunOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _cluster = cluster;
        _options = options;
        _time = time;
    }

    /// <summary>Creates or attaches to the Job and watches it to its end.</summary>
    public async Task<JobOutcome> RunAsync(JobRunRequest request, JobRunCallbacks callbacks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(callbacks);
        var job = request.Job;
        if (string.IsNullOrEmpty(job.Metadata?.Name))
        {
            throw new ArgumentException("The Job needs a (deterministic) name: it is how a retried run finds it.", nameof(request));
        }
        var ns = job.Metadata.NamespaceProperty ?? _cluster.DefaultNamespace;
        string uid;
        try
        {
            if (request.Secret is { } secret && await EnsureSecretAsync(secret, ns, cancellationToken).ConfigureAwait(false) is { } secretConflict)
            {
                return secretConflict;
            }
            var (existing, jobConflict) = await EnsureJobAsync(job, ns, callbacks, cancellationToken).ConfigureAwait(false);
            if (jobConflict is not null)
            {
                return jobConflict;
            }
            uid = existing!.Metadata.Uid;
            if (request.Secret is { } owned)
            {
                await OwnSecretAsync(owned.Metadata.Name, ns, job.Metadata.Name, uid, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (KubernetesErrors.IsTransport(e, cancellationToken))
        {
            return Unreachable(e, JobProgress.None);
        }

        var outcome = await WatchAsync(ns, job.Metadata.Name, uid, request, callbacks, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind == JobOutcomeKind.ImagePullFailed)
        {
            // Kubernetes would retry the pull forever: the run is over, so the Job goes.
            try
            {
                await CancelAsync(ns, job.Metadata.Name, request.Secret?.Metadata.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                return outcome with { Message = outcome.Message + $"; deleting the Job failed ({KubernetesErrors.Describe(e)}), cancel it again" };
            }
        }
        return outcome;
    }

    /// <summary>
    /// Deletes the Job with background propagation (its pods go after it) and its Secret; a missing one is fine, so
    /// a repeated cancel is harmless.
    /// </summary>
    public async Task CancelAsync(string ns, string jobName, string? secretName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobName);
        ns = string.IsNullOrEmpty(ns) ? _cluster.DefaultNamespace : ns;
        try
        {
            await CallAsync(token => _client.BatchV1.DeleteNamespacedJobAsync(jobName, ns, propagationPolicy: "Background", cancellationToken: token), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesErrors.Status(e) == HttpStatusCode.NotFound)
        {
        }
        if (secretName is not null)
        {
            try
            {
                await CallAsync(token => _client.CoreV1.DeleteNamespacedSecretAsync(secretName, ns, cancellationToken: token), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (KubernetesErrors.Status(e) == HttpStatusCode.NotFound)
            {
            }
        }
    }

    private async Task<JobOutcome?> EnsureSecretAsync(V1Secret secret, string ns, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(token => _client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: token), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (KubernetesErrors.Status(e) == HttpStatusCode.Conflict)
        {
            var existing = await CallAsync(token => _client.CoreV1.ReadNamespacedSecretAsync(secret.Metadata.Name, ns, cancellationToken: token), cancellationToken).ConfigureAwait(false);
            return Ours(existing.Metadata, secret.Metadata) ? null : Conflict("Secret", secret.Metadata.Name, ns);
        }
    }

    private async Task<(V1Job? Job, JobOutcome? Conflict)> EnsureJobAsync(V1Job job, string ns, JobRunCallbacks callbacks, CancellationToken cancellationToken)
    {
        try
        {
            var created = await CallAsync(token => _client.BatchV1.CreateNamespacedJobAsync(job, ns, cancellationToken: token), cancellationToken).ConfigureAwait(false);
            callbacks.Created?.Invoke(true);
            return (created, null);
        }
        catch (Exception e) when (KubernetesErrors.Status(e) == HttpStatusCode.Conflict)
        {
            var existing = await CallAsync(token => _client.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, ns, cancellationToken: token), cancellationToken).ConfigureAwait(false);
            if (!Ours(existing.Metadata, job.Metadata))
            {
                return (null, Conflict("Job", job.Metadata.Name, ns));
            }
            callbacks.Created?.Invoke(false);
            callbacks.Notice?.Invoke($"Job {job.Metadata.Name} already exists in {ns} on cluster {_cluster.Name}; attaching to it");
            return (existing, null);
        }
    }

    /// <summary>
    /// Makes the Job the Secret's owner, so Kubernetes' garbage collector deletes the Secret with the Job (after
    /// <c>ttlSecondsAfterFinished</c> too), not only our cancel. The Secret must exist before the Job (its pods read it),
    /// so the owner can only be set after. A merge patch with the same owner is harmless when repeated on an attach.
    /// </summary>
    private async Task OwnSecretAsync(string secretName, string ns, string jobName, string jobUid, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(
            new { metadata = new { ownerReferences = new[] { new { apiVersion = "batch/v1", kind = "Job", name = jobName, uid = jobUid } } } },
            V1Patch.PatchType.MergePatch);
        await CallAsync(token => _client.CoreV1.PatchNamespacedSecretAsync(patch, secretName, ns, cancellationToken: token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An existing object is ours when it carries every label we put on ours (the run's identity among them).</summary>
    private static bool Ours(V1ObjectMeta existing, V1ObjectMeta wanted)
    {
        var labels = existing.Labels ?? new Dictionary<string, string>();
        return (wanted.Labels ?? new Dictionary<string, string>()).All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value)
            && labels.TryGetValue(ContainerSteps.ManagedByLabel, out var by) && by == ContainerSteps.ManagedByValue;
    }

    private JobOutcome Conflict(string kind, string name, string ns) => new(
        JobOutcomeKind.Conflict,
        $"A {kind} named {name} exists in namespace {ns} on cluster {_cluster.Name} but was not made by this run (its labels differ); it was left alone",
        "AlreadyExists", null, null, JobProgress.None);

    private JobOutcome Unreachable(Exception e, JobProgress progress) => new(
        JobOutcomeKind.ClusterUnreachable,
        $"Cluster {_cluster.Name} ({_cluster.Server?.ToString() ?? "configured endpoint"}) cannot be reached: {KubernetesErrors.Describe(e)}",
        null, null, null, progress);

    /// <summary>One request-and-answer call under <see cref="JobRunOptions.RequestTimeout"/> (watches and log streams are not).</summary>
    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await call(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {_options.RequestTimeout}", e);
        }
    }
}
