using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Kubernetes;

/// <summary>
/// One entry of <see cref="AgentOptions.NodeLabelPrefixes"/>: node label keys starting with <see cref="Prefix"/> become
/// host label keys starting with <see cref="Replacement"/> (the rest of the key kept).
/// </summary>
public sealed record NodeLabelMapping(string Prefix, string Replacement)
{
    /// <summary><c>prefix=replacement</c>, or a bare <c>prefix</c> (the key kept). Null with <paramref name="error"/> set when malformed.</summary>
    public static NodeLabelMapping? Parse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var prefix = (equals < 0 ? text : text[..equals]).Trim();
        var replacement = equals < 0 ? prefix : text[(equals + 1)..].Trim();
        if (prefix.Length == 0)
        {
            error = $"'{ProtocolNames.Shown(text)}' has no prefix; write prefix=replacement (e.g. orchestrator/=) or a bare prefix";
            return null;
        }
        error = null;
        return new NodeLabelMapping(prefix, replacement);
    }

    /// <summary>
    /// The host labels <paramref name="mappings"/> make of <paramref name="nodeLabels"/> (first matching mapping wins;
    /// a node label no mapping selects is left out), and why each selected one was skipped: its new key or its value
    /// is not a valid host label, or an earlier node label already took the key. Pure: keys in ordinal order.
    /// </summary>
    public static (Dictionary<string, string> Labels, List<string> Skipped) Apply(IReadOnlyDictionary<string, string> nodeLabels, IReadOnlyList<NodeLabelMapping> mappings)
    {
        ArgumentNullException.ThrowIfNull(nodeLabels);
        ArgumentNullException.ThrowIfNull(mappings);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (var (key, value) in nodeLabels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var mapping = mappings.FirstOrDefault(m => key.StartsWith(m.Prefix, StringComparison.Ordinal));
            if (mapping is null)
            {
                continue;
            }
            var hostKey = mapping.Replacement + key[mapping.Prefix.Length..];
            if (hostKey.Length == 0)
            {
                skipped.Add($"{key}: maps to an empty key (a prefix that is the whole key needs a replacement, e.g. {key}=name)");
            }
            else if (ProtocolNames.CheckLabel(hostKey, value) is { } bad)
            {
                skipped.Add($"{key} as {hostKey}: {bad}");
            }
            else if (!labels.TryAdd(hostKey, value))
            {
                skipped.Add($"{key} as {hostKey}: an earlier node label already gave that key");
            }
        }
        return (labels, skipped);
    }
}
