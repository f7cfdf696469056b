using k8s;

namespace Orchestrator.Containers.Execution;

/// <summary>
/// How to reach one Kubernetes cluster's API server: exactly one of <see cref="InCluster"/>, <see cref="KubeconfigPath"/>
/// or <see cref="Server"/> (with <see cref="Token"/> or <see cref="TokenFile"/>) says where the credentials come from.
/// </summary>
/// <remarks>
/// The token is held in memory only for as long as a client is built from it; the registry keeps it encrypted or as a
/// file path, never in clear. <see cref="ToString"/> never prints it, so a connection can be logged.
/// </remarks>
/// <param name="Name">The cluster's registered name (used in messages).</param>
/// <param name="Server">API server URL, e.g. <c>https://10.0.0.1:6443</c>; null with <see cref="InCluster"/> or a kubeconfig.</param>
/// <param name="DefaultNamespace">Namespace for Jobs whose metadata names none.</param>
public sealed record ClusterConnection(string Name, Uri? Server, string DefaultNamespace = "default")
{
    /// <summary>A bearer token (a service-account token read from the secret store); never printed.</summary>
    public string? Token { get; init; }

    /// <summary>A file holding the bearer token, re-read by the client when it rotates (projected service-account tokens).</summary>
    public string? TokenFile { get; init; }

    /// <summary>A kubeconfig file; its current context (or <see cref="KubeconfigContext"/>) gives server and credentials.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>The kubeconfig context to use; null for the file's current context.</summary>
    public string? KubeconfigContext { get; init; }

    /// <summary>PEM file of the CA that signed the API server's certificate; null to trust the system store.</summary>
    public string? CertificateAuthorityFile { get; init; }

    /// <summary>Use the pod's own service account (the silo runs inside this cluster).</summary>
    public bool InCluster { get; init; }

    /// <summary>The client library's configuration for this connection; throws <see cref="ArgumentException"/> naming what is missing.</summary>
    public KubernetesClientConfiguration ToClientConfiguration()
    {
        var sources = (InCluster ? 1 : 0) + (KubeconfigPath is null ? 0 : 1) + (Server is null ? 0 : 1);
        if (sources != 1)
        {
            throw new ArgumentException($"Cluster '{Name}': give exactly one of an API server URL, a kubeconfig file or in-cluster (given {sources}).");
        }
        if (InCluster)
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }
        if (KubeconfigPath is not null)
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath, KubeconfigContext);
        }
        if (Token is not null && TokenFile is not null)
        {
            throw new ArgumentException($"Cluster '{Name}': give a token or a token file, not both.");
        }
        var configuration = new KubernetesClientConfiguration { Host = Server!.ToString(), AccessToken = Token, SslCaCerts = null };
        if (TokenFile is not null)
        {
            configuration.TokenProvider = new k8s.Authentication.TokenFileAuth(TokenFile);
        }
        if (CertificateAuthorityFile is not null)
        {
            var authorities = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            authorities.ImportFromPemFile(CertificateAuthorityFile);
            configuration.SslCaCerts = authorities;
        }
        return configuration;
    }

    /// <summary>A client for this connection; the caller disposes it.</summary>
    public IKubernetes CreateClient() => new Kubernetes(ToClientConfiguration());

    /// <summary>Name, server, namespace and where the credentials come from; never the token.</summary>
    public override string ToString() =>
        $"ClusterConnection {{ Name = {Name}, Server = {Server}, DefaultNamespace = {DefaultNamespace}, Credentials = {Credentials} }}";

    private string Credentials =>
        InCluster ? "in-cluster"
        : KubeconfigPath is not null ? "kubeconfig " + KubeconfigPath
        : TokenFile is not null ? "token file " + TokenFile
        : Token is not null ? "token (hidden)"
        : "none";
}
