using Orchestrator.Agent.Hosting;
using Orchestrator.Agent.Kubernetes;

namespace Orchestrator.Deploy.Tests.Agent;

/// <summary>The agent's options for a DaemonSet pod and a systemd service: node labels and the token from a file.</summary>
public sealed class AgentKubernetesOptionsTests
{
    private static readonly Dictionary<string, string?> Server = new() { ["ORCH_AGENT_SERVER"] = "http://orchestrator", ["ORCH_AGENT_TOKEN"] = "t" };

    [Fact]
    public void Parse_NodeAndPrefixes_FromEnvironment_ArgumentsReplaceThePrefixes()
    {
        var environment = new Dictionary<string, string?>(Server) { ["ORCH_AGENT_KUBERNETES_NODE"] = "node-1", ["ORCH_AGENT_NODE_LABEL_PREFIX"] = "orchestrator/=,kubernetes.io/arch=arch" };

        var fromEnvironment = AgentCommandLine.Parse([], environment);
        var fromArguments = AgentCommandLine.Parse(["--node-label-prefix", "team/=", "--node-label-prefix=zone"], environment);

        Assert.Empty(fromEnvironment.Errors);
        Assert.Equal("node-1", fromEnvironment.Options.KubernetesNode);
        Assert.Equal([new NodeLabelMapping("orchestrator/", ""), new NodeLabelMapping("kubernetes.io/arch", "arch")], fromEnvironment.Options.NodeLabelPrefixes);
        Assert.Empty(fromArguments.Errors);
        Assert.Equal([new NodeLabelMapping("team/", ""), new NodeLabelMapping("zone", "zone")], fromArguments.Options.NodeLabelPrefixes);
    }

    [Fact]
    public void Parse_NodeWithoutPrefixes_OrPrefixesWithoutNode_AreErrors()
    {
        var nodeOnly = AgentCommandLine.Parse(["--kubernetes-node", "node-1"], Server);
        var prefixesOnly = AgentCommandLine.Parse(["--node-label-prefix", "orchestrator/="], Server);
        var badPrefix = AgentCommandLine.Parse(["--kubernetes-node", "node-1", "--node-label-prefix", "=x"], Server);

        Assert.Contains(nodeOnly.Errors, e => e.StartsWith("NodeLabelPrefixes: at least one is required with KubernetesNode", StringComparison.Ordinal));
        Assert.Contains(prefixesOnly.Errors, e => e.StartsWith("NodeLabelPrefixes: set KubernetesNode", StringComparison.Ordinal));
        Assert.Contains(badPrefix.Errors, e => e.StartsWith("--node-label-prefix: '=x' is invalid: '=x' has no prefix", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TokenFile_ReadsTheToken_MissingFileIsNamed()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "from-file\n");
        try
        {
            var parsed = AgentCommandLine.Parse(["--server", "http://orchestrator"], new Dictionary<string, string?> { ["ORCH_AGENT_TOKEN_FILE"] = file });
            var missing = AgentCommandLine.Parse(["--server", "http://orchestrator", "--token-file", file + ".absent"], new Dictionary<string, string?>());

            Assert.Empty(parsed.Errors);
            Assert.Equal("from-file", parsed.Options.Token);
            Assert.Contains(missing.Errors, e => e.StartsWith($"--token-file: '{file}.absent' is invalid: cannot be read", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
