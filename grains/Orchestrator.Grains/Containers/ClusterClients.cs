using System.Collections.Concurrent;
using System.Text.Json;
using k8s;
using Microsoft.Extensions.Options;
using Orchestrator.Containers.Clusters;
using Orchestrator.Containers.Execution;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Containers;

/// <summary>
/// The Kubernetes clients of a silo, one per registered cluster definition (a cluster re-registered with other
/// credentials gets a new one), shared by the cluster's probes and its container targets' Job runners.
/// </summary>
public sealed class ClusterClients(IOptions<JobRunOptions> runOptions, IOptions<ClusterHealthOptions> healthOptions, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IKubernetes>> _clients = new(StringComparer.Ordinal);

    public JobRunOptions RunOptions => runOptions.Value;

    public ClusterHealthOptions HealthOptions => healthOptions.Value;

    public TimeProvider Time => time;

    /// <summary>
    /// How to reach the cluster: a token file goes with the API server URL; a kubeconfig names its own server (an
    /// <c>apiServer</c> given beside it is not used); in-cluster takes the pod's service account.
    /// </summary>
    public static ClusterConnection Connection(ClusterView cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var (spec, credentials) = (cluster.Spec, cluster.Spec.Credentials);
        var server = credentials.TokenFile is not null && spec.ApiServer is { } url ? new Uri(url) : null;
        return new ClusterConnection(cluster.Name, server, spec.DefaultNamespace)
        {
            TokenFile = credentials.TokenFile,
            CertificateAuthorityFile = credentials.CaFile,
            KubeconfigPath = credentials.KubeconfigFile,
            KubeconfigContext = credentials.Context,
            InCluster = credentials.InCluster,
        };
    }

    /// <summary>The client for the cluster's current definition; throws <see cref="ArgumentException"/> or an I/O error when its credentials cannot be read.</summary>
    public IKubernetes Client(ClusterView cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var key = cluster.Name + "\n" + JsonSerializer.Serialize(new { cluster.Spec.ApiServer, cluster.Spec.DefaultNamespace, cluster.Spec.Credentials });
        var lazy = _clients.GetOrAdd(key, _ => new Lazy<IKubernetes>(() => Connection(cluster).CreateClient()));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _clients.TryRemove(key, out _); // a kubeconfig not there yet may be there next time
            throw;
        }
    }

    /// <summary>A runner of Jobs on the cluster.</summary>
    public JobRunner Runner(ClusterView cluster) => new(Client(cluster), Connection(cluster), RunOptions, time);

    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }
        _clients.Clear();
    }
}
