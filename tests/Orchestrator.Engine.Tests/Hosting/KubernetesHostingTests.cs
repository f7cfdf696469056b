using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Silo;
using Orchestrator.Silo.Hosting;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace Orchestrator.Engine.Tests.Hosting;

/// <summary>
/// <c>UseKubernetesHosting</c> as the silo process wires it (<see cref="SiloClustering"/>): inside a pod the Kubernetes
/// downward-API variables (<c>POD_NAME</c>, <c>POD_NAMESPACE</c>, <c>POD_IP</c>, <c>ORLEANS_CLUSTER_ID</c>,
/// <c>ORLEANS_SERVICE_ID</c>) win over our <c>ORCH_*</c> settings. No Kubernetes API server runs here and the silo is
/// not started: the options are read from the built host, which is what the pod's silo starts with. The cluster agent's
/// calls to the API server (watching the namespace's pods, deleting dead silos' pods) are not exercised.
/// </summary>
[Collection(nameof(KubernetesHostingTests))] // sets process environment variables: not beside another test of this class
public sealed class KubernetesHostingTests
{
    private static readonly Dictionary<string, string> Pod = new()
    {
        ["POD_NAME"] = "orchestrator-2",
        ["POD_NAMESPACE"] = "jobs",
        ["POD_IP"] = "10.244.1.17",
        ["ORLEANS_CLUSTER_ID"] = "pod-cluster",
        ["ORLEANS_SERVICE_ID"] = "pod-service",
    };

    private static readonly SiloNodeOptions Node = new()
    {
        SiloName = "orch-setting-name",
        ClusterId = "orch-cluster",
        ServiceId = "orch-service",
        SiloPort = 12111,
        GatewayPort = 31000,
        AdvertisedAddress = "192.0.2.5",
    };

    private static SiloNodeOptions NodeWithoutAddress() => new()
    {
        SiloName = Node.SiloName,
        ClusterId = Node.ClusterId,
        ServiceId = Node.ServiceId,
        SiloPort = Node.SiloPort,
        GatewayPort = Node.GatewayPort,
    };

    private static readonly OrchestratorDatabaseOptions Postgres = new()
    {
        Store = OrchestratorDatabaseOptions.Postgres,
        ConnectionString = "Host=127.0.0.1;Username=nobody;Database=none",
    };

    [Fact]
    public void UseNodeClustering_InAPod_ThePodsVariablesWinOverOurSettings()
    {
        using var pod = new PodEnvironment(Pod);
        using var host = Build(kubernetes: true, NodeWithoutAddress());

        var cluster = host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        var silo = host.Services.GetRequiredService<IOptions<SiloOptions>>().Value;
        var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;

        Assert.Equal(("pod-cluster", "pod-service"), (cluster.ClusterId, cluster.ServiceId));
        Assert.Equal("orchestrator-2", silo.SiloName);
        // POD_IP is not the advertised address (Orleans takes the first non-loopback address, the pod's own in a pod).
        Assert.NotEqual(IPAddress.Parse("10.244.1.17"), endpoints.AdvertisedIPAddress);
        Assert.Equal((12111, 31000), (endpoints.SiloPort, endpoints.GatewayPort)); // ports stay ours
    }

    [Fact]
    public void UseNodeClustering_KubernetesOff_OurSettingsHoldDespiteThePodsVariables()
    {
        using var pod = new PodEnvironment(Pod);
        using var host = Build(kubernetes: false, Node);

        var cluster = host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        var silo = host.Services.GetRequiredService<IOptions<SiloOptions>>().Value;
        var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;

        Assert.Equal(("orch-cluster", "orch-service"), (cluster.ClusterId, cluster.ServiceId));
        Assert.Equal("orch-setting-name", silo.SiloName);
        Assert.Equal(IPAddress.Parse("192.0.2.5"), endpoints.AdvertisedIPAddress);
        Assert.Empty(host.Services.GetServices<IConfigureOptions<KubernetesHostingOptions>>());
    }

    [Fact]
    public void UseNodeClustering_InAPodWithAnAdvertisedAddressSet_OurAddressIsKept()
    {
        using var pod = new PodEnvironment(Pod);
        using var host = Build(kubernetes: true, Node);

        // Orleans' Kubernetes hosting does not set the advertised address from POD_IP: a set one is kept.
        Assert.Equal(IPAddress.Parse("192.0.2.5"), host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value.AdvertisedIPAddress);
    }

    private static IHost Build(bool kubernetes, SiloNodeOptions node)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.UseNodeClustering(Postgres, node, kubernetes));
        return builder.Build(); // not started: no membership table, no API server
    }

    /// <summary>Sets the pod's variables for the test's duration and restores what was there.</summary>
    private sealed class PodEnvironment : IDisposable
    {
        private readonly Dictionary<string, string?> _before = [];

        public PodEnvironment(Dictionary<string, string> variables)
        {
            foreach (var (name, value) in variables)
            {
                _before[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in _before)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
