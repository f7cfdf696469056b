using System.Net;

namespace Orchestrator.Silo;

/// <summary>
/// The silo as an Orleans cluster member: its name, cluster and service ids, ports and advertised address, whether it
/// runs in Kubernetes, and how long its stop may take. Set like every other setting (appsettings <c>Orchestrator</c>,
/// <c>ORCH_CLUSTER_ID</c>, <c>--silo-port</c>, ...).
/// </summary>
public sealed class SiloNodeOptions
{
    public const string SiloRole = "silo";
    public const string ApiRole = "api";

    /// <summary>
    /// <c>silo</c> (default): an Orleans silo hosting the grains, with the REST API, agent gateway and dashboard in the
    /// same process. <c>api</c>: the REST API, agent gateway and dashboard only, joining a PostgreSQL cluster as an
    /// Orleans client (<c>UseOrleansClient</c>, the cluster's membership table finds its gateways) and reading the same
    /// database; it needs <c>--store postgres</c>, the cluster's <see cref="ClusterId"/>/<see cref="ServiceId"/> and agent
    /// token, and hosts no grains.
    /// </summary>
    public string Role { get; set; } = SiloRole;

    /// <summary>The silo's name in membership and on the dashboard. Default: the machine name.</summary>
    public string SiloName { get; set; } = Environment.MachineName;

    /// <summary>
    /// Orleans' cluster id: silos with the same id (in the same database) form one cluster. Default <c>orchestrator</c>.
    /// In Kubernetes the pod's labels set it (see <see cref="Kubernetes"/>).
    /// </summary>
    public string ClusterId { get; set; } = "orchestrator";

    /// <summary>
    /// Orleans' service id: what grain state and reminders are keyed by; keep it across deployments. Default
    /// <c>orchestrator</c>.
    /// </summary>
    public string ServiceId { get; set; } = "orchestrator";

    /// <summary>The port silos talk to each other on. Default 11111 (Orleans' default).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans clients (a separate API process, <c>examples/</c>) connect to; 0 for none. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos and clients reach this one at (PostgreSQL clusters). Default: none set, so Orleans picks
    /// the host's first non-loopback address; a single node always uses the loopback address.
    /// </summary>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>
    /// Run as a Kubernetes pod (<c>Microsoft.Orleans.Hosting.Kubernetes</c>: cluster id, silo name and address from the
    /// pod, dead pods' silos declared dead). Default: on when <c>KUBERNETES_SERVICE_HOST</c> is set (inside a pod), else off.
    /// </summary>
    public bool? Kubernetes { get; set; }

    /// <summary>The whole stop after SIGTERM, local agent, API and silo together (see README, Stopping). Default 10 s.</summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether to use Kubernetes hosting: the setting, else whether the process runs in a pod.</summary>
    public bool UseKubernetes(IReadOnlyDictionary<string, string?> environment) =>
        Kubernetes ?? !string.IsNullOrEmpty(environment.GetValueOrDefault("KUBERNETES_SERVICE_HOST"));

    public IEnumerable<string> Validate()
    {
        if (Role is not (SiloRole or ApiRole))
        {
            yield return $"Role: '{Role}' is not a role; use '{SiloRole}' or '{ApiRole}'.";
        }
        if (string.IsNullOrWhiteSpace(SiloName))
        {
            yield return "SiloName: must not be empty.";
        }
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            yield return "ClusterId: must not be empty.";
        }
        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            yield return "ServiceId: must not be empty.";
        }
        if (SiloPort is < 1 or > 65535)
        {
            yield return $"SiloPort: {SiloPort} is not a port (1 to 65535).";
        }
        if (GatewayPort is < 0 or > 65535)
        {
            yield return $"GatewayPort: {GatewayPort} is not a port (1 to 65535, or 0 for no gateway).";
        }
        if (GatewayPort == SiloPort)
        {
            yield return $"GatewayPort: {GatewayPort} is also the SiloPort; use two ports.";
        }
        if (AdvertisedAddress.Length > 0 && !IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return $"AdvertisedAddress: '{AdvertisedAddress}' is not an IP address.";
        }
        if (ShutdownDrainTimeout <= TimeSpan.Zero)
        {
            yield return $"ShutdownDrainTimeout: {ShutdownDrainTimeout} must be positive.";
        }
    }
}
