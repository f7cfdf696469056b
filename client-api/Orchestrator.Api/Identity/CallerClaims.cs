using System.Security.Claims;

namespace Orchestrator.Api.Identity;

/// <summary>
/// How an authenticated caller is carried in the request's <see cref="ClaimsPrincipal"/>, whichever scheme
/// authenticated it: the principal's name (<see cref="ClaimTypes.Name"/>), one <see cref="Grant"/> claim per role and
/// namespace (<c>namespace=role</c>), and how it authenticated (<see cref="Method"/>).
/// </summary>
public static class CallerClaims
{
    public const string Grant = "orch:grant";

    public const string Method = "orch:auth";

    /// <summary>The id of the API token used, when one was.</summary>
    public const string TokenId = "orch:token";

    public static ClaimsIdentity Identity(string scheme, string name, AccessGrants grants, string method, string? tokenId = null)
    {
        ArgumentNullException.ThrowIfNull(grants);
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(Method, method) };
        if (tokenId is not null)
        {
            claims.Add(new Claim(TokenId, tokenId));
        }
        foreach (var (ns, roles) in grants.ToNames())
        {
            claims.AddRange(roles.Select(r => new Claim(Grant, $"{ns}={r}")));
        }
        return new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role);
    }

    /// <summary>The principal's name; null when unauthenticated.</summary>
    public static string? NameOf(ClaimsPrincipal? user) =>
        user?.Identity is { IsAuthenticated: true } ? user.FindFirst(ClaimTypes.Name)?.Value : null;

    /// <summary>The grants in the principal's claims.</summary>
    public static AccessGrants GrantsOf(ClaimsPrincipal? user)
    {
        if (user is null)
        {
            return AccessGrants.None;
        }
        var pairs = user.FindAll(Grant).Select(c => c.Value.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, IReadOnlyList<string>>(g.Key, [.. g.Select(p => p[1])]));
        return new AccessGrants(pairs);
    }
}
