using Orchestrator.Api.Hosting;

namespace Orchestrator.Api.Clusters;

/// <summary>A cluster's credentials, for the OpenAPI document: exactly one of a kubeconfig file, a token file, or in-cluster.</summary>
public sealed record ClusterCredentialsBody
{
    /// <summary>Absolute path, on every silo, of a kubeconfig file.</summary>
    public string? KubeconfigFile { get; init; }

    /// <summary>The kubeconfig context; its current context when left out.</summary>
    public string? Context { get; init; }

    /// <summary>Absolute path of a service-account token file (re-read when it rotates); needs apiServer.</summary>
    public string? TokenFile { get; init; }

    /// <summary>Absolute path of the API server's CA certificate, with tokenFile.</summary>
    public string? CaFile { get; init; }

    /// <summary>The service account of the pod the silo runs in.</summary>
    public bool? InCluster { get; init; }
}

/// <summary>A cluster to register, for the OpenAPI document (read by the clusters API's strict reader).</summary>
public sealed record ClusterBody
{
    /// <summary>The API server's https URL; left out, the kubeconfig's or the in-cluster one (required with tokenFile).</summary>
    public string? ApiServer { get; init; }

    /// <summary>Where a step's Job goes when the step names no namespace; <c>default</c> when left out.</summary>
    public string? DefaultNamespace { get; init; }

    /// <summary>Kubernetes-style labels, matched by a step's <c>clusterSelector</c>.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>How many of our Jobs may run on the cluster at once (1 to 10,000; 10 when left out).</summary>
    public int? Capacity { get; init; }

    /// <summary>References to credentials, never the credentials themselves.</summary>
    public required ClusterCredentialsBody Credentials { get; init; }
}

internal static class ClusterRequests
{
    public static readonly DescribedBody Cluster = new(typeof(ClusterBody), true, "The cluster's API server, default namespace, labels, capacity and credential references.",
        ["application/json"], """{"apiServer": "https://k8s.eu-1.example.com:6443", "defaultNamespace": "batch", "labels": {"env": "prod", "region": "eu"}, "capacity": 20, "credentials": {"tokenFile": "/var/run/orchestrator/eu-1/token", "caFile": "/var/run/orchestrator/eu-1/ca.crt"}}""");
}
