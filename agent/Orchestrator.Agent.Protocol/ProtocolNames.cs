using System.Buffers;

namespace Orchestrator.Agent.Protocol;

/// <summary>
/// Rules for the names an agent announces (docs/agent-protocol.md, "Limits"); the agent checks its options with them
/// at start and the gateway checks every request. Each check returns why a value is not acceptable, or null.
/// </summary>
public static class ProtocolNames
{
    private static readonly SearchValues<char> HostChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    /// <summary>The host name rule, as error messages and the docs state it.</summary>
    public const string HostRule = "1 to 253 ASCII letters, digits, '.', '_', ':' or '-', starting with a letter, a digit or '_'";

    /// <summary>
    /// The one host name rule of the product: what an agent may register, what a plan may target and what the API's
    /// <c>{host}</c> takes (the plans library's <c>HostNames</c> and the API use this method). DNS names, short and
    /// NetBIOS-style names (<c>_build</c>), IPv4 and most IPv6 addresses fit. The first character may not be
    /// <c>-</c> (a host name reaches command lines as <c>ORCH_HOST</c> and <c>${{ host }}</c>, where it would read as
    /// an option) nor <c>.</c> (<c>.</c> and <c>..</c> are path steps a URL resolves away, so such a host could never
    /// be addressed as <c>/hosts/{host}</c>).
    /// </summary>
    public static bool IsHostName(string? host) =>
        host is { Length: > 0 and <= ProtocolLimits.MaxHostNameLength }
        && (char.IsAsciiLetterOrDigit(host[0]) || host[0] == '_')
        && !host.AsSpan().ContainsAnyExcept(HostChars);

    public static string? CheckHost(string host) =>
        IsHostName(host) ? null : $"'{Shown(host)}' is not a host name: {HostRule}.";

    /// <summary>
    /// A namespace name (the server's rule): 1 to 63 lower-case letters, digits and '-', not starting or ending with
    /// '-' (a DNS label, as Kubernetes' namespaces).
    /// </summary>
    public static string? CheckNamespace(string ns) =>
        ns is { Length: > 0 and <= 63 } && ns.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && ns[0] != '-' && ns[^1] != '-'
            ? null
            : $"'{Shown(ns)}' is not a namespace: 1 to 63 lower-case letters, digits and '-', not starting or ending with '-'.";

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
