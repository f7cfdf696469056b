using System.Net;
using Orchestrator.Runtime.Clustering;
using Orchestrator.Runtime.Persistence;
using Orleans.Configuration;

namespace Orchestrator.Silo.Hosting;

/// <summary>
/// How a silo process finds its cluster: one silo on its own SQLite file (localhost clustering), else the PostgreSQL
/// membership table with the node's cluster and service ids, ports and advertised address; in a Kubernetes pod
/// <c>UseKubernetesHosting</c> runs after ours, so the pod's <c>ORLEANS_CLUSTER_ID</c>, <c>ORLEANS_SERVICE_ID</c>,
/// <c>POD_NAME</c> (silo name) win over the settings (the advertised address stays
/// ours, or the first non-loopback address, the pod's own; <c>POD_IP</c> does not set it), and its cluster agent
/// watches the namespace's pods (deleting the pods of silos declared dead).
/// </summary>
public static class SiloClustering
{
    public static ISiloBuilder UseNodeClustering(this ISiloBuilder silo, OrchestratorDatabaseOptions database, SiloNodeOptions node, bool kubernetes)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(node);
        silo.Configure<SiloOptions>(o => o.SiloName = node.SiloName);
        if (database.Store == OrchestratorDatabaseOptions.Sqlite)
        {
            // One silo on its own file: membership is this process.
            silo.UseLocalhostClustering(node.SiloPort, node.GatewayPort, null, node.ServiceId, node.ClusterId);
            return silo;
        }
        silo.UseOrchestratorClustering(); // the database's connection string
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = node.ClusterId;
            o.ServiceId = node.ServiceId;
        });
        silo.Configure<EndpointOptions>(o =>
        {
            o.SiloPort = node.SiloPort;
            o.GatewayPort = node.GatewayPort;
            if (node.AdvertisedAddress.Length > 0)
            {
                o.AdvertisedIPAddress = IPAddress.Parse(node.AdvertisedAddress);
            }
            o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, node.SiloPort);
            o.GatewayListeningEndpoint = node.GatewayPort > 0 ? new IPEndPoint(IPAddress.Any, node.GatewayPort) : null;
        });
        if (kubernetes)
        {
            // After ours: the pod's cluster id, service id and name win over the settings above (KubernetesHostingTests).
            silo.UseKubernetesHosting();
        }
        return silo;
    }
}
