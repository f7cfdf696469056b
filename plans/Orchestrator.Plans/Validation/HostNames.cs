using Orchestrator.Agent.Protocol;

namespace Orchestrator.Plans.Validation;

/// <summary>
/// What a host name in a plan may be: the name an agent may register (<see cref="ProtocolNames.IsHostName"/>), so a
/// plan can target every host an agent can be, and the API can address every host a plan names: 1 to 253 ASCII
/// letters, digits, <c>.</c>, <c>_</c>, <c>:</c> and <c>-</c>, starting with a letter, a digit or <c>_</c>.
/// </summary>
public static class HostNames
{
    public const int MaxLength = ProtocolLimits.MaxHostNameLength;

    /// <summary>The rule, as error messages state it.</summary>
    public const string Rule = ProtocolNames.HostRule;

    public static bool IsValid(string? name) => ProtocolNames.IsHostName(name);

    /// <summary>A host list as an operator types it: separated by commas (or white space), trimmed, empty items and repeats dropped.</summary>
    public static IReadOnlyList<string> Split(string? list)
    {
        var hosts = new List<string>();
        foreach (var item in (list ?? "").Split([',', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!hosts.Contains(item, StringComparer.Ordinal))
            {
                hosts.Add(item);
            }
        }

        return hosts;
    }
}
