using System.Net;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent;
using Orchestrator.Agent.Kubernetes;

namespace Orchestrator.Deploy.Tests.Agent;

/// <summary>The agent's host labels from its Kubernetes node, read through the real client from a fake API server.</summary>
public sealed class NodeLabelsTests
{
    private static readonly Dictionary<string, string> NodeLabelSet = new()
    {
        ["kubernetes.io/hostname"] = "node-1",
        ["kubernetes.io/arch"] = "amd64",
        ["topology.kubernetes.io/zone"] = "eu-west-1a",
        ["node.kubernetes.io/instance-type"] = "m5.large",
        ["orchestrator/role"] = "web",
        ["orchestrator/tier"] = "frontend",
        ["orchestrator/bad key"] = "x",
    };

    private static AgentOptions Options(params string[] prefixes) => new()
    {
        Server = new Uri("http://orchestrator"),
        Token = "t",
        Host = "node-1",
        KubernetesNode = "node-1",
        NodeLabelPrefixes = [.. prefixes.Select(p => NodeLabelMapping.Parse(p, out _)!)],
        Labels = new(StringComparer.Ordinal) { ["tier"] = "explicit" },
    };

    private static KubernetesClientConfiguration Client(FakeKubernetesApi api) => new() { Host = api.Address.ToString(), AccessToken = "service-account-token" };

    [Fact]
    public async Task ApplyAsync_SelectedNodeLabels_BecomeHostLabels_ExplicitOnesWin()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.AddNode("node-1", NodeLabelSet);
        var options = Options("orchestrator/=", "topology.kubernetes.io/zone=zone", "kubernetes.io/arch=arch");

        var added = await NodeLabels.ApplyAsync(options, Client(api), NullLogger.Instance, CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["arch"] = "amd64", ["role"] = "web", ["zone"] = "eu-west-1a" }, added);
        Assert.Equal(new Dictionary<string, string> { ["arch"] = "amd64", ["role"] = "web", ["tier"] = "explicit", ["zone"] = "eu-west-1a" }, options.Labels);
        var request = Assert.Single(api.Requests);
        Assert.Equal(("GET", "/api/v1/nodes/node-1", "Bearer service-account-token"), request);
    }

    [Fact]
    public async Task ApplyAsync_Forbidden_SaysWhichPermissionIsMissing()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.FailWith = HttpStatusCode.Forbidden;

        var error = await Assert.ThrowsAsync<NodeLabelException>(() => NodeLabels.ApplyAsync(Options("orchestrator/="), Client(api), NullLogger.Instance, CancellationToken.None));

        Assert.Contains("answered 403", error.Message, StringComparison.Ordinal);
        Assert.Contains("'get' on 'nodes'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("service-account-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_UnknownNode_NamesTheNodeAndTheSetting()
    {
        await using var api = await FakeKubernetesApi.StartAsync();

        var error = await Assert.ThrowsAsync<NodeLabelException>(() => NodeLabels.ApplyAsync(Options("orchestrator/="), Client(api), NullLogger.Instance, CancellationToken.None));

        Assert.Contains("node-1", error.Message, StringComparison.Ordinal);
        Assert.Contains("ORCH_AGENT_KUBERNETES_NODE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_ApiDown_SaysItCannotBeReached()
    {
        var stopped = await FakeKubernetesApi.StartAsync();
        var address = stopped.Address;
        await stopped.DisposeAsync(); // nothing listens there any more

        var error = await Assert.ThrowsAsync<NodeLabelException>(() =>
            NodeLabels.ApplyAsync(Options("orchestrator/="), new KubernetesClientConfiguration { Host = address.ToString() }, NullLogger.Instance, CancellationToken.None));

        Assert.Contains("cannot be reached", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_Mappings_FirstMatchWins_InvalidAndCollidingKeysSkippedWithReasons()
    {
        var mappings = new[] { "orchestrator/=", "orchestrator/role=x-", "kubernetes.io/hostname", "node.kubernetes.io/instance-type=", "topology.kubernetes.io/zone=role" }
            .Select(p => NodeLabelMapping.Parse(p, out _)!).ToList();

        var (labels, skipped) = NodeLabelMapping.Apply(NodeLabelSet, mappings);

        Assert.Equal(new Dictionary<string, string> { ["kubernetes.io/hostname"] = "node-1", ["role"] = "web", ["tier"] = "frontend" }, labels);
        Assert.Equal(3, skipped.Count);
        Assert.Contains(skipped, s => s.StartsWith("node.kubernetes.io/instance-type: maps to an empty key", StringComparison.Ordinal));
        Assert.Contains(skipped, s => s.StartsWith("orchestrator/bad key as bad key: ", StringComparison.Ordinal));
        Assert.Contains(skipped, s => s.StartsWith("topology.kubernetes.io/zone as role: an earlier node label already gave that key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("orchestrator/=", "orchestrator/", "")]
    [InlineData("kubernetes.io/arch=arch", "kubernetes.io/arch", "arch")]
    [InlineData("team", "team", "team")]
    [InlineData(" a/ = b- ", "a/", "b-")]
    public void Parse_PrefixAndReplacement(string text, string prefix, string replacement)
    {
        Assert.Equal(new NodeLabelMapping(prefix, replacement), NodeLabelMapping.Parse(text, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Parse_NoPrefix_IsAnError()
    {
        Assert.Null(NodeLabelMapping.Parse("=x", out var error));
        Assert.Contains("no prefix", error, StringComparison.Ordinal);
    }
}
