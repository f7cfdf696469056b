namespace Orchestrator.Containers.Clusters;

/// <summary>Whether a cluster may be given new Jobs.</summary>
public enum ClusterHealthStatus
{
    /// <summary>Not probed yet: not chosen, as an unhealthy one is not.</summary>
    Unknown,

    /// <summary>The last probe answered (or fewer than the threshold of failures in a row since one did).</summary>
    Healthy,

    /// <summary><see cref="ClusterHealthOptions.UnhealthyAfter"/> probes in a row failed.</summary>
    Unhealthy,
}

/// <summary>
/// The tracked health of one cluster: a pure value moved by <see cref="Observe"/>, one probe result at a time, so the
/// registry grain can keep it in its state and tests can drive it without a clock.
/// </summary>
/// <param name="Status">Healthy, unhealthy or not yet known.</param>
/// <param name="ConsecutiveFailures">Failed probes since the last one that answered.</param>
/// <param name="LastError">The last failure's message (never a credential), or null after an answer.</param>
/// <param name="LastCheckedAt">When the last probe finished.</param>
/// <param name="LastHealthyAt">When a probe last answered.</param>
/// <param name="ServerVersion">The API server's <c>gitVersion</c> from its last answer.</param>
public sealed record ClusterHealth(
    ClusterHealthStatus Status,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? LastCheckedAt,
    DateTimeOffset? LastHealthyAt,
    string? ServerVersion)
{
    /// <summary>A cluster never probed.</summary>
    public static readonly ClusterHealth Unknown = new(ClusterHealthStatus.Unknown, 0, null, null, null, null);

    /// <summary>
    /// The health after one more probe: an answer makes the cluster healthy at once; a failure counts, and the
    /// <see cref="ClusterHealthOptions.UnhealthyAfter"/>-th in a row makes it unhealthy (one lost packet does not take a
    /// cluster out of rotation). A cluster never seen healthy stays unknown until it answers or reaches the threshold.
    /// </summary>
    public ClusterHealth Observe(ClusterProbeResult probe, ClusterHealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(options);
        if (probe.Healthy)
        {
            return new ClusterHealth(ClusterHealthStatus.Healthy, 0, null, probe.At, probe.At, probe.ServerVersion ?? ServerVersion);
        }
        var failures = ConsecutiveFailures + 1;
        var status = failures >= options.UnhealthyAfter ? ClusterHealthStatus.Unhealthy : Status;
        return this with { Status = status, ConsecutiveFailures = failures, LastError = probe.Error, LastCheckedAt = probe.At };
    }
}
