using System.Buffers;

namespace Orchestrator.Agent.Protocol;

/// <summary>
/// Rules for the names an agent announces (docs/agent-protocol.md, "Limits"); the agent checks its options with them
/// at start and the gateway checks every request. Each check returns why a value is not acceptable, or null.
/// </summary>
public static class ProtocolNames
{
    private static readonly SearchValues<char> HostChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    /// <summary>1 to 253 letters, digits, '-', '_' or '.'.</summary>
    public static bool IsHostName(string host) =>
        host.Length is > 0 and <= ProtocolLimits.MaxHostNameLength && !host.AsSpan().ContainsAnyExcept(HostChars);

    public static string? CheckHost(string host) =>
        IsHostName(host) ? null : $"'{Shown(host)}' is not a host name: 1 to {ProtocolLimits.MaxHostNameLength} letters, digits, '-', '_' or '.'.";

    /// <summary>
    /// Kubernetes' label syntax: a key is an optional DNS subdomain prefix (at most 253 characters) and '/', then a
    /// name of 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit; a value is
    /// empty or such a name.
    /// </summary>
    public static string? CheckLabel(string key, string value)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash < 0 ? "" : key[..slash];
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (!IsLabelName(name) || (slash >= 0 && !IsDnsSubdomain(prefix)))
        {
            return $"'{Shown(key)}' is not a label key: an optional DNS prefix and '/', then 1 to 63 letters, digits, '-', '_' or '.', " +
                   "starting and ending with a letter or digit (Kubernetes' label syntax).";
        }
        return value.Length == 0 || IsLabelName(value)
            ? null
            : $"'{Shown(value)}' is not a label value: empty, or 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.";
    }

    /// <summary>A value as shown in an error: cut to 100 characters.</summary>
    public static string Shown(string value) => value.Length <= 100 ? value : ProtocolText.Truncate(value, 100) + "…";

    private static bool IsLabelName(string name) =>
        name.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsDnsSubdomain(string prefix) =>
        prefix.Length is > 0 and <= 253 && prefix.Split('.').All(part =>
            part.Length is > 0 and <= 63 && IsLowerOrDigit(part[0]) && IsLowerOrDigit(part[^1])
            && part.All(c => IsLowerOrDigit(c) || c == '-'));

    private static bool IsLowerOrDigit(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
