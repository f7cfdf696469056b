namespace Orchestrator.Containers.Clusters;

/// <summary>How clusters are probed and when one counts as unhealthy.</summary>
public sealed class ClusterHealthOptions
{
    /// <summary>
    /// How long a probe (<c>GET /version</c>) may take before it counts as a failure. Default 5 seconds: an API server
    /// slower than that to answer its cheapest call will not keep up with watches either.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Failed probes in a row before a cluster is unhealthy and no longer chosen. Default 3, so one dropped
    /// connection does not move work away; with <see cref="ProbeInterval"/> that is about 90 seconds to notice.
    /// </summary>
    public int UnhealthyAfter { get; set; } = 3;

    /// <summary>How often the registry probes each cluster. Default 30 seconds.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The problems with these options, each naming the setting (<paramref name="settingPrefix"/> and the option's
    /// name: the silo's settings are <c>ClusterProbeInterval</c>, ...) and the bad value; none when valid.
    /// </summary>
    public IEnumerable<string> Validate(string settingPrefix = "")
    {
        if (ProbeInterval < TimeSpan.FromMilliseconds(100) || ProbeInterval > TimeSpan.FromHours(1))
        {
            yield return $"{settingPrefix}{nameof(ProbeInterval)}: {ProbeInterval} is outside 00:00:00.1 to 01:00:00.";
        }
        if (ProbeTimeout < TimeSpan.FromMilliseconds(100) || ProbeTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{settingPrefix}{nameof(ProbeTimeout)}: {ProbeTimeout} is outside 00:00:00.1 to 00:05:00.";
        }
        if (UnhealthyAfter is < 1 or > 100)
        {
            yield return $"{settingPrefix}{nameof(UnhealthyAfter)}: {UnhealthyAfter} is outside 1 to 100.";
        }
    }
}
