namespace Orchestrator.Api.Identity;

/// <summary>
/// The roles a caller holds per namespace (<c>{"default": ["operator"]}</c>; the namespace <c>*</c> stands for every
/// namespace). Pure: unit-tested.
/// </summary>
public sealed class AccessGrants
{
    private readonly Dictionary<string, Role[]> _grants;

    public AccessGrants(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        _grants = new Dictionary<string, Role[]>(StringComparer.Ordinal);
        foreach (var (ns, names) in grants)
        {
            var roles = names.Select(n => Roles.TryParse(n, out var r) ? (Role?)r : null).OfType<Role>();
            _grants[ns] = [.. (_grants.TryGetValue(ns, out var earlier) ? earlier.Concat(roles) : roles).Distinct()];
        }
    }

    /// <summary>Every role on every namespace: the bootstrap admin token.</summary>
    public static AccessGrants Everything { get; } = new([new(Roles.AnyNamespace, [Roles.Name(Role.Admin)])]);

    public static AccessGrants None { get; } = new([]);

    /// <summary>Whether a role held on <paramref name="ns"/> (or on <c>*</c>) implies <paramref name="needed"/>.</summary>
    public bool Allows(string ns, Role needed) =>
        Held(ns).Concat(Held(Roles.AnyNamespace)).Any(r => Roles.Implies(r, needed));

    /// <summary>
    /// Whether a role held on some namespace implies <paramref name="needed"/>: the endpoint-level check, made before
    /// the object (and so its namespace) is known, so that a caller with the role nowhere is refused early.
    /// </summary>
    public bool AllowsSomewhere(Role needed) => _grants.Values.Any(roles => roles.Any(r => Roles.Implies(r, needed)));

    /// <summary>Whether the caller may read every namespace (a role implying viewer on <c>*</c>).</summary>
    public bool ViewsEvery => Held(Roles.AnyNamespace).Any(Views);

    /// <summary>The namespaces named in the grants (not <c>*</c>) the caller may read, in name order.</summary>
    public IReadOnlyList<string> Viewable =>
        [.. _grants.Where(g => g.Key != Roles.AnyNamespace && g.Value.Any(Views)).Select(g => g.Key).Order(StringComparer.Ordinal)];

    private static bool Views(Role role) => Roles.Implies(role, Role.Viewer);

    /// <summary>
    /// Whether the caller is admin of the grant namespace <paramref name="ns"/>: of <c>*</c> only by admin on <c>*</c>
    /// itself (an admin of one namespace must not mint a token for every one).
    /// </summary>
    public bool AdministersGrant(string ns) =>
        ns == Roles.AnyNamespace ? Held(Roles.AnyNamespace).Contains(Role.Admin) : Allows(ns, Role.Admin);

    /// <summary>Whether the caller administers every namespace of <paramref name="grantNamespaces"/>: it may give, see and revoke such a token.</summary>
    public bool AdministersAll(IEnumerable<string> grantNamespaces) => grantNamespaces.All(AdministersGrant);

    /// <summary>The grants as role names per namespace.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ToNames() =>
        _grants.ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Value.Select(Roles.Name)], StringComparer.Ordinal);

    /// <summary>The roles held on <paramref name="ns"/> with those they imply, as names (for approval rules naming a role).</summary>
    public IReadOnlyList<string> EffectiveRoleNames(string ns) =>
        [.. Enum.GetValues<Role>().Where(r => Allows(ns, r)).Select(Roles.Name)];

    private IEnumerable<Role> Held(string ns) => _grants.TryGetValue(ns, out var roles) ? roles : [];

    /// <summary>
    /// Checks grants given by a client: 1 to 100 namespaces (a name of 1-63 lower-case letters, digits and '-', or
    /// <c>*</c>), each with 1 to 4 known role names. Errors name the JSON path under <paramref name="path"/>.
    /// </summary>
    public static List<Common.FieldError> Check(IReadOnlyDictionary<string, IReadOnlyList<string>> grants, string path)
    {
        ArgumentNullException.ThrowIfNull(grants);
        var errors = new List<Common.FieldError>();
        if (grants.Count is 0 or > 100)
        {
            errors.Add(new Common.FieldError(path, $"Give 1 to 100 namespaces with their roles, e.g. {{\"default\": [\"operator\"]}}; {grants.Count} given."));
            return errors;
        }
        foreach (var (ns, names) in grants)
        {
            var at = $"{path}.{ns}";
            if (!IsNamespace(ns))
            {
                errors.Add(new Common.FieldError(at, $"'{Truncate(ns)}' is not a namespace: 1-63 lower-case letters, digits and '-', or '*' for every namespace."));
                continue;
            }
            if (names.Count is 0 or > 4)
            {
                errors.Add(new Common.FieldError(at, $"Give 1 to 4 roles of {string.Join(", ", Roles.Names)}."));
                continue;
            }
            for (var i = 0; i < names.Count; i++)
            {
                if (!Roles.TryParse(names[i], out _))
                {
                    errors.Add(new Common.FieldError($"{at}[{i}]", $"'{Truncate(names[i] ?? "")}' is not a role; use {string.Join(", ", Roles.Names)}."));
                }
            }
        }
        return errors;
    }

    public static bool IsNamespace(string ns) => ns == Roles.AnyNamespace || Orchestrator.Plans.Model.Namespaces.IsValid(ns);

    private static string Truncate(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
