using k8s;

namespace Orchestrator.Containers.Clusters;

/// <summary>One probe of a cluster's API server: answered (with its version) or not (with why), when, and how long it took.</summary>
public sealed record ClusterProbeResult(bool Healthy, string? ServerVersion, string? Error, DateTimeOffset At, TimeSpan Took);

/// <summary>Probes a cluster with <c>GET /version</c>, the API server's cheapest authenticated call, under a timeout.</summary>
public static class ClusterProbe
{
    /// <summary>Never throws for the cluster's failures (only for the caller's own cancel): a failure is a result.</summary>
    public static async Task<ClusterProbeResult> ProbeAsync(IKubernetes client, ClusterHealthOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(options.ProbeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var version = await client.Version.GetCodeAsync(linked.Token).ConfigureAwait(false);
            return new ClusterProbeResult(true, version.GitVersion, null, time.GetUtcNow(), time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new ClusterProbeResult(false, null, $"no answer to GET /version within {options.ProbeTimeout}", time.GetUtcNow(), time.GetElapsedTime(started));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ClusterProbeResult(false, null, Execution.KubernetesErrors.Describe(e), time.GetUtcNow(), time.GetElapsedTime(started));
        }
    }
}
