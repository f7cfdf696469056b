namespace Orchestrator.Plans.Validation;

/// <summary>
/// What a host name in a plan may be: 1 to 253 characters, letters, digits, <c>.</c>, <c>_</c>, <c>:</c> and
/// <c>-</c>, starting with a letter or digit — DNS names, short names and IP addresses all fit.
/// </summary>
public static class HostNames
{
    public const int MaxLength = 253;

    /// <summary>The rule, as error messages state it.</summary>
    public const string Rule = "1 to 253 characters, letters, digits, '.', '_', ':' and '-', starting with a letter or digit";

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength }
        && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

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
