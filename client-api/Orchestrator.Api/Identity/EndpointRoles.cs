namespace Orchestrator.Api.Identity;

/// <summary>
/// Which role each endpoint of the REST API needs (pure: unit-tested). Kept as one table rather than spread over the
/// endpoint files so that the whole policy reads in one place, and so that an endpoint added later without an entry
/// needs <see cref="Role.Admin"/> (closed by default) rather than nothing.
/// </summary>
public static class EndpointRoles
{
    private static readonly (string Method, string Pattern, Role Role)[] Table =
    [
        ("POST", "/api/v1/plans/{id}/run", Role.Operator),
        ("POST", "/api/v1/plans/{planId}/schedules/{name}/run", Role.Operator),
        ("POST", "/api/v1/schedules/preview", Role.Viewer), // computes fire times, changes nothing
        ("POST", "/api/v1/task-instances/{id}/cancel", Role.Operator),
        ("POST", "/api/v1/files/", Role.Operator),
        ("POST", "/api/v1/files", Role.Operator),
    ];

    /// <summary>Step actions and the role each needs: deciding an approval is the approver's, not the operator's.</summary>
    private static readonly Dictionary<string, Role> StepActions = new(StringComparer.Ordinal)
    {
        ["skip"] = Role.Operator,
        ["continue"] = Role.Operator,
        ["retry"] = Role.Operator,
        ["approve"] = Role.Approver,
        ["reject"] = Role.Approver,
    };

    private const string StepActionPattern = "/api/v1/task-instances/{id}/steps/{step}/{action}";

    /// <summary>
    /// Whether the endpoint's role must be held on <c>*</c> (every namespace): the audit log, dead letters and parked
    /// status hook deliveries span every namespace (entries, messages and URLs of any team's objects), so only an admin
    /// of every namespace reads or replays them.
    /// </summary>
    public static bool OnEveryNamespace(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return pattern.StartsWith("/api/v1/audit", StringComparison.OrdinalIgnoreCase)
            || pattern.StartsWith("/api/v1/dead-letters", StringComparison.OrdinalIgnoreCase)
            || pattern.StartsWith("/api/v1/hooks", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The role <paramref name="method"/> on the route <paramref name="pattern"/> (as mapped, e.g.
    /// <c>/api/v1/plans/{id}/run</c>) needs; <paramref name="action"/> is the <c>{action}</c> route value, if any.
    /// Reads need viewer (except tokens, the audit log and retention: admin); every other change is admin's.
    /// </summary>
    public static Role Required(string method, string pattern, string? action)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.StartsWith("/api/v1/tokens", StringComparison.OrdinalIgnoreCase) || pattern.StartsWith("/api/v1/audit", StringComparison.OrdinalIgnoreCase))
        {
            return Role.Admin; // who holds which token, and who did what from where, are themselves sensitive
        }
        if (pattern.StartsWith("/api/v1/retention", StringComparison.OrdinalIgnoreCase))
        {
            return Role.Admin; // where the archive is and what was deleted is the operators' business
        }
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return Role.Viewer;
        }
        if (HttpMethods.IsPost(method) && string.Equals(pattern, StepActionPattern, StringComparison.OrdinalIgnoreCase))
        {
            // An unknown action needs the least role, so that a viewer learns it is unknown (400) rather than 403.
            return action is not null && StepActions.TryGetValue(action, out var role) ? role : Role.Viewer;
        }
        foreach (var (m, p, r) in Table)
        {
            if (string.Equals(m, method, StringComparison.OrdinalIgnoreCase) && string.Equals(p, pattern, StringComparison.OrdinalIgnoreCase))
            {
                return r;
            }
        }
        return Role.Admin;
    }
}
