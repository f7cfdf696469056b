using System.Globalization;
using Orchestrator.Agent.Protocol;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Agents;

/// <summary>
/// The names agents send, and their rules (docs/agent-protocol.md, "Limits"). Each check returns why a value is
/// not acceptable, or null. Assignment ids are the server's own (<see cref="GrainKeys.Assignment"/>:
/// <c>instance:step:target#run</c>), so anything else is refused before it can name a grain or a log stream.
/// </summary>
internal static class AgentIds
{
    /// <summary>Longest instance id part of an assignment id (instance ids are at most 128 characters).</summary>
    private const int MaxInstanceIdLength = 256;

    public static string? CheckSession(string id) =>
        id.Length is 0 or > ProtocolLimits.MaxSessionIdLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? $"'{Shown(id)}' is not a session id: 1 to {ProtocolLimits.MaxSessionIdLength} letters, digits, '-', '_', '.' or ':'."
            : null;

    public static string? CheckHost(string host) => ProtocolNames.CheckHost(host);

    /// <summary>Hosts as one short text (an audit entry's object): the first ten, then how many more.</summary>
    public static string HostList(IEnumerable<string> hosts)
    {
        var all = hosts.ToList();
        return string.Join(",", all.Take(10)) + (all.Count > 10 ? $" (+{all.Count - 10} more)" : "");
    }

    public static string? CheckLabel(string key, string value) => ProtocolNames.CheckLabel(key, value);

    /// <summary>An assignment id the server could have made; <paramref name="targetKey"/> is its host target.</summary>
    public static string? CheckAssignment(string id, out string targetKey)
    {
        targetKey = "";
        if (id.Length <= ProtocolLimits.MaxAssignmentIdLength && GrainKeys.TryParseAssignment(id, out var target, out var run) && run >= 1
            && id[(id.LastIndexOf('#') + 1)..].All(char.IsAsciiDigit))
        {
            var (stepKey, name) = GrainKeys.SplitTarget(target);
            var colon = stepKey.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && IsInstanceId(stepKey.AsSpan(0, colon)) && IsStepIndex(stepKey.AsSpan(colon + 1))
                && (ProtocolNames.IsHostName(name) || (name.StartsWith("@src", StringComparison.Ordinal) && IsStepIndex(name.AsSpan(4)))))
            {
                targetKey = target;
                return null;
            }
        }
        return $"'{Shown(id)}' is not an assignment id (instance:step:host#run, as the server hands them out).";
    }

    public static string? CheckAgentVersion(string version) =>
        version.Length > ProtocolLimits.MaxAgentVersionLength || version.Any(char.IsControl)
            ? $"must be at most {ProtocolLimits.MaxAgentVersionLength} printable characters."
            : null;

    /// <summary>A value as shown in an error: cut to 100 characters.</summary>
    public static string Shown(string value) => ProtocolNames.Shown(value);

    private static bool IsInstanceId(ReadOnlySpan<char> id)
    {
        if (id.Length is 0 or > MaxInstanceIdLength)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsStepIndex(ReadOnlySpan<char> text) =>
        text.Length is > 0 and <= 9 && !text.ContainsAnyExceptInRange('0', '9') && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _);
}
