using Orleans.Concurrency;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// A registered Kubernetes cluster that container steps run on, key: its name (a DNS label). It holds where the API
/// server is, the default namespace, labels (what <c>clusterSelector</c> matches), capacity, and how to authenticate —
/// as <b>references</b> to files on the silos (a kubeconfig, or a service-account token and CA file) or the silo's
/// in-cluster service account: no credential is ever stored. Registering again replaces the definition.
/// </summary>
public interface IClusterGrain : IGrainWithStringKey
{
    /// <summary>Registers or replaces the cluster: true when it did not exist (or was deleted), false when replaced.</summary>
    Task<bool> Put(PutCluster command);

    /// <summary>Forgets the cluster (its index row too); false when there was none. Steps that name it no longer find it.</summary>
    Task<bool> Delete(string by);

    /// <summary>The cluster, null when not registered.</summary>
    [ReadOnly]
    ValueTask<ClusterView?> GetAsync();
}

/// <summary>How the silos authenticate to a cluster: exactly one of a kubeconfig file, a token file, or in-cluster.</summary>
/// <param name="KubeconfigFile">An absolute path, on every silo, to a kubeconfig file.</param>
/// <param name="Context">The kubeconfig context to use; its current context when null.</param>
/// <param name="TokenFile">An absolute path to a service-account token file (re-read when it rotates).</param>
/// <param name="CaFile">An absolute path to the API server's CA certificate (with <paramref name="TokenFile"/>); the system's trust store when null.</param>
/// <param name="InCluster">The service account of the pod the silo runs in.</param>
[GenerateSerializer]
public sealed record ClusterCredentials(string? KubeconfigFile, string? Context, string? TokenFile, string? CaFile, bool InCluster);

/// <summary>
/// A cluster's definition. <c>ApiServer</c>: the API server's https URL; null takes the kubeconfig's or the in-cluster
/// one (required with a token file). <c>Capacity</c>: how many of our Jobs may run on it at once, what balanced
/// dispatch compares.
/// </summary>
[GenerateSerializer]
public sealed record ClusterSpec(string? ApiServer, string DefaultNamespace, IReadOnlyDictionary<string, string> Labels, int Capacity, ClusterCredentials Credentials);

[GenerateSerializer]
public sealed record PutCluster(ClusterSpec Spec, string By);

/// <summary>A registered cluster as the API shows it (credentials are references, so all of it can be shown).</summary>
[GenerateSerializer]
public sealed record ClusterView(string Name, ClusterSpec Spec, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    /// <summary>The cluster's tracked health (probed by its grain); null in rows of before health was tracked.</summary>
    [Id(5)]
    public ClusterHealthView? Health { get; init; }
}

/// <summary>
/// A cluster's health as its probes found it: <c>Status</c> is <c>Unknown</c> until the first answer (or until enough
/// failures), <c>Healthy</c>, or <c>Unhealthy</c> after several failed probes in a row; only healthy clusters get Jobs.
/// </summary>
[GenerateSerializer]
public sealed record ClusterHealthView(string Status, int ConsecutiveFailures, string? LastError, DateTimeOffset? LastCheckedAt, DateTimeOffset? LastHealthyAt, string? ServerVersion);

/// <summary>
/// The cluster list's index rows: partition "", key the cluster name, status 0, data <see cref="ClusterView"/> as JSON.
/// <see cref="Jobs"/>: one row per container target running a Job on a cluster (partition the cluster's name, key the
/// target's key), written and deleted with the target's state: what balanced dispatch counts as the cluster's load.
/// </summary>
public static class ClusterIndex
{
    public const string Kind = "cluster";

    public const string Jobs = "clusterjob";
}
