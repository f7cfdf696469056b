using System.Text.RegularExpressions;

namespace Orchestrator.Plans.Validation;

/// <summary>
/// Kubernetes' name rules for what a container step names: clusters (ours, registered under a DNS label so that they
/// can appear in Job labels), containers, volumes, namespaces (DNS labels), config maps, secrets and service accounts
/// (DNS subdomains), resource names and quantities.
/// </summary>
public static partial class ContainerNames
{
    public const string DnsLabelRule = "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";

    public const string DnsSubdomainRule = "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters";

    /// <summary>A cluster name: a DNS label (it is written into Job labels and names).</summary>
    public const string ClusterRule = DnsLabelRule;

    public static bool IsDnsLabel(string? name) => name is not null && DnsLabel().IsMatch(name);

    public static bool IsDnsSubdomain(string? name) =>
        name is { Length: > 0 and <= 253 } && name.Split('.').All(IsDnsLabel);

    public static bool IsClusterName(string? name) => IsDnsLabel(name);

    /// <summary>
    /// A resource name: <c>cpu</c>, <c>memory</c>, <c>ephemeral-storage</c>, <c>hugepages-2Mi</c>, or an extended
    /// resource with a domain prefix (<c>nvidia.com/gpu</c>).
    /// </summary>
    public static bool IsResourceName(string? name)
    {
        if (name is null)
        {
            return false;
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return name is "cpu" or "memory" or "ephemeral-storage" || (name.StartsWith("hugepages-", StringComparison.Ordinal) && IsQuantity(name["hugepages-".Length..]));
        }

        return IsDnsSubdomain(name[..slash]) && QualifiedNamePart().IsMatch(name[(slash + 1)..]);
    }

    /// <summary>
    /// A Kubernetes quantity: a non-negative decimal number and a suffix, binary (<c>Ki</c> ... <c>Ei</c>), decimal
    /// (<c>n</c>, <c>u</c>, <c>m</c>, <c>k</c>, <c>M</c> ... <c>E</c>) or an exponent (<c>e3</c>): <c>500m</c>, <c>1Gi</c>, <c>2</c>.
    /// </summary>
    public static bool IsQuantity(string? text) => text is { Length: > 0 and <= 64 } && Quantity().IsMatch(text);

    /// <summary>A Kubernetes label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static bool IsLabelKey(string? key)
    {
        if (key is null)
        {
            return false;
        }

        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        return (slash < 0 || IsDnsSubdomain(key[..slash])) && name.Length is > 0 and <= 63 && IsLabelValue(name);
    }

    /// <summary>A Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.</summary>
    public static bool IsLabelValue(string? value) =>
        value is not null
        && (value.Length == 0
            || (value.Length <= 63 && char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1])
                && value.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')));

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex(@"^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Quantity();
}
