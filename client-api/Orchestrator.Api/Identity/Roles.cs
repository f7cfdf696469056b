namespace Orchestrator.Api.Identity;

/// <summary>What a caller may do in a namespace. Each role names the least a kind of request needs.</summary>
public enum Role
{
    /// <summary>Reads (every GET).</summary>
    Viewer,

    /// <summary>Runs plans and controls runs: run, cancel, retry, skip, continue; uploads files.</summary>
    Operator,

    /// <summary>Decides approval steps.</summary>
    Approver,

    /// <summary>Plans, schedules, tokens, hosts, hooks, dead letters; holds every other role too.</summary>
    Admin,

    /// <summary>
    /// Registers agents' hosts into the namespace (the token an agent registers with) and nothing else: it implies no
    /// other role, not even viewer. Appended last: roles are stored by name, never by number.
    /// </summary>
    Agent,
}

/// <summary>Role names and what each implies (pure: unit-tested).</summary>
public static class Roles
{
    /// <summary>The namespace of an object created without one, and of every object of before namespaces.</summary>
    public const string DefaultNamespace = Orchestrator.Plans.Model.Namespaces.Default;

    /// <summary>A grant on this namespace holds on every namespace.</summary>
    public const string AnyNamespace = "*";

    public static string Name(Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.Operator => "operator",
        Role.Approver => "approver",
        Role.Agent => "agent",
        _ => "admin",
    };

    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetValues<Role>().Select(Name)];

    public static bool TryParse(string? name, out Role role)
    {
        foreach (var candidate in Enum.GetValues<Role>())
        {
            if (string.Equals(Name(candidate), name, StringComparison.Ordinal))
            {
                role = candidate;
                return true;
            }
        }
        role = default;
        return false;
    }

    /// <summary>
    /// Whether holding <paramref name="held"/> allows what <paramref name="needed"/> allows: admin implies every role;
    /// operator and approver imply viewer; operator does not imply approver (who runs a change is not who signs it off);
    /// agent implies nothing (a registration token reads nothing).
    /// </summary>
    public static bool Implies(Role held, Role needed) => held == needed || held == Role.Admin || (needed == Role.Viewer && held != Role.Agent);
}
