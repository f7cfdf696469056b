namespace Orchestrator.Plans.Model;

/// <summary>
/// Names of namespaces, the spaces plans, schedules, task instances, hosts and files live in (pure: unit-tested). A
/// name is 1-63 lower-case letters, digits and '-', neither starting nor ending with '-' (a DNS label, as Kubernetes'
/// namespaces).
/// </summary>
public static class Namespaces
{
    /// <summary>The namespace of an object created without one, and of every object written before namespaces existed.</summary>
    public const string Default = "default";

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= 63 } && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && name[0] != '-' && name[^1] != '-';

    /// <summary>A stored namespace, or <see cref="Default"/> for one stored without (null, or the "" of older rows).</summary>
    public static string Of(string? stored) => string.IsNullOrEmpty(stored) ? Default : stored;

    /// <summary>Why <paramref name="name"/> is not a namespace name, for an error naming its field.</summary>
    public static string Rule(string name) =>
        $"'{(name.Length > 64 ? name[..64] + "…" : name)}' is not a namespace: 1-63 lower-case letters, digits and '-', not starting or ending with '-'.";
}
