using System.Net;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Agent.Kubernetes;

/// <summary>Reading or using the node's labels failed; the message says what to fix (never a credential).</summary>
public sealed class NodeLabelException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Host labels from the Kubernetes node the agent runs on (<see cref="AgentOptions.KubernetesNode"/>): one
/// <c>GET /api/v1/nodes/{name}</c> at start, the labels selected by <see cref="AgentOptions.NodeLabelPrefixes"/> added to
/// <see cref="AgentOptions.Labels"/> (explicit labels win on the same key). Done once, before the agent registers: the
/// labels go with the registration, and a relabelled node shows after the agent's restart (a DaemonSet rollout).
/// </summary>
public static partial class NodeLabels
{
    /// <summary>Reads the node's labels and adds the selected ones to <paramref name="options"/>; returns what was added.</summary>
    /// <param name="options">The agent's options: <see cref="AgentOptions.KubernetesNode"/> and the mappings are read, <see cref="AgentOptions.Labels"/> extended.</param>
    /// <param name="configuration">How to reach the API: <see cref="KubernetesClientConfiguration.InClusterConfig"/> in a pod.</param>
    /// <param name="logger">Says which labels were taken and which skipped, and why.</param>
    /// <param name="cancellationToken">Ends the request.</param>
    /// <exception cref="NodeLabelException">The API refused or failed, or the merged labels are not valid host labels.</exception>
    public static async Task<IReadOnlyDictionary<string, string>> ApplyAsync(AgentOptions options, KubernetesClientConfiguration configuration, ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(logger);
        var node = options.KubernetesNode ?? throw new ArgumentException("KubernetesNode is not set.", nameof(options));
        var nodeLabels = await ReadAsync(configuration, node, cancellationToken).ConfigureAwait(false);
        var (mapped, skipped) = NodeLabelMapping.Apply(nodeLabels, options.NodeLabelPrefixes);
        foreach (var reason in skipped)
        {
            Log.Skipped(logger, node, reason);
        }
        var added = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in mapped)
        {
            if (options.Labels.TryAdd(key, value))
            {
                added[key] = value;
            }
        }
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new NodeLabelException($"Host labels with node {node}'s labels are invalid: {string.Join(" ", problems)}");
        }
        Log.Applied(logger, node, added.Count, nodeLabels.Count, string.Join(",", added.Select(l => $"{l.Key}={l.Value}")));
        return added;
    }

    /// <summary>The node's labels (none: an empty map).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(KubernetesClientConfiguration configuration, string node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(node);
        using var client = new k8s.Kubernetes(configuration);
        try
        {
            var found = await client.CoreV1.ReadNodeAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false);
            return found.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : new Dictionary<string, string>();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new NodeLabelException(
                $"Reading node {node}'s labels: the Kubernetes API answered {(int)ex.Response.StatusCode}; the agent's service account needs 'get' on 'nodes' (a ClusterRole bound to it, k8s/base/agent-rbac.yaml).", ex);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.NotFound)
        {
            throw new NodeLabelException($"Reading node {node}'s labels: no such node; set KubernetesNode (ORCH_AGENT_KUBERNETES_NODE) from the pod's spec.nodeName.", ex);
        }
        catch (HttpOperationException ex)
        {
            throw new NodeLabelException($"Reading node {node}'s labels: the Kubernetes API answered {(int)ex.Response.StatusCode}.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new NodeLabelException($"Reading node {node}'s labels: the Kubernetes API at {configuration.Host} cannot be reached ({ex.Message}).", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Node {Node}: {Added} host labels from its {Total} node labels: {Labels}")]
        public static partial void Applied(ILogger logger, string node, int added, int total, string labels);

        [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Node {Node}: label skipped: {Reason}")]
        public static partial void Skipped(ILogger logger, string node, string reason);
    }
}
