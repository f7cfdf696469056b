using Orchestrator.Agent.Kubernetes;

namespace Orchestrator.Agent;

/// <summary>The agent's options for running as a Kubernetes DaemonSet pod: host labels from its node's labels.</summary>
public sealed partial class AgentOptions
{
    /// <summary>
    /// The Kubernetes node this agent runs on; when set, the agent reads the node's labels from the Kubernetes API at
    /// start (in-cluster credentials: its service account needs <c>get</c> on <c>nodes</c>) and announces those that
    /// <see cref="NodeLabelPrefixes"/> select as host labels, besides <see cref="Labels"/> (which win on the same key).
    /// A pod cannot see its node's labels through the downward API, only the node's name (<c>spec.nodeName</c>), which is
    /// what this is set to. Default: none, no lookup. Labels are read once per start: restart the agent to pick up a
    /// relabelled node.
    /// </summary>
    public string? KubernetesNode { get; set; }

    /// <summary>
    /// Which node labels become host labels, and under which key: <c>prefix=replacement</c> maps a node label whose key
    /// starts with <c>prefix</c> to <c>replacement</c> plus the rest of the key (<c>orchestrator/=</c>:
    /// <c>orchestrator/role=web</c> becomes <c>role=web</c>; <c>topology.kubernetes.io/zone=zone</c> renames one label);
    /// a bare <c>prefix</c> keeps the key. The first matching entry applies. Default: none; required with
    /// <see cref="KubernetesNode"/>, so that a node's labels (which name cloud accounts, instance types, ...) are not
    /// all published as host labels unless chosen.
    /// </summary>
    public List<NodeLabelMapping> NodeLabelPrefixes { get; set; } = [];

    private void ValidateKubernetes(List<string> errors)
    {
        if (KubernetesNode is not null && string.IsNullOrWhiteSpace(KubernetesNode))
        {
            errors.Add("KubernetesNode: must not be empty (set it to the pod's spec.nodeName, or leave it unset).");
        }
        if (KubernetesNode is not null && NodeLabelPrefixes.Count == 0)
        {
            errors.Add("NodeLabelPrefixes: at least one is required with KubernetesNode (--node-label-prefix, e.g. orchestrator/=), so that only chosen node labels become host labels.");
        }
        if (KubernetesNode is null && NodeLabelPrefixes.Count > 0)
        {
            errors.Add("NodeLabelPrefixes: set KubernetesNode (--kubernetes-node, the pod's spec.nodeName) too; without it no node labels are read.");
        }
    }
}
