namespace Orchestrator.Api.Identity;

/// <summary>
/// How the REST API authenticates callers (docs/api.md, Authentication). API tokens are always on; the admin token
/// bootstraps them; OpenID Connect / JWT bearer tokens are accepted when <see cref="JwtIssuer"/> or
/// <see cref="JwtAuthority"/> is set.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>
    /// A token with admin on every namespace, principal <see cref="AdminPrincipal"/>: how the first API tokens are made.
    /// Default none (no such token). The silo sets it from <c>AdminToken</c> or, on a single node, <c>data/admin-token</c>.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>The principal name the admin token authenticates as. Default <c>admin</c>.</summary>
    public string AdminPrincipal { get; set; } = "admin";

    /// <summary>
    /// The OpenID Connect authority (issuer URL) whose discovery document gives the signing keys. Default none. Either
    /// this or <see cref="JwtSigningKey"/> is needed for JWTs.
    /// </summary>
    public string? JwtAuthority { get; set; }

    /// <summary>The issuer (<c>iss</c>) a JWT must carry. Default: the authority's; required without one.</summary>
    public string? JwtIssuer { get; set; }

    /// <summary>The audience (<c>aud</c>) a JWT must carry. Default none: required whenever JWTs are on.</summary>
    public string? JwtAudience { get; set; }

    /// <summary>
    /// A key to check JWT signatures with, instead of the authority's: <c>base64:&lt;bytes&gt;</c> for a symmetric
    /// (HMAC) key of at least 32 bytes, or an RSA public key in PEM (<c>-----BEGIN PUBLIC KEY-----</c>). Default none.
    /// </summary>
    public string? JwtSigningKey { get; set; }

    /// <summary>The claim naming the principal. Default <c>sub</c> (e.g. <c>preferred_username</c>, <c>email</c>).</summary>
    public string JwtNameClaim { get; set; } = "sub";

    /// <summary>
    /// The claim holding roles (a string or an array). A value <c>namespace:role</c> grants the role there; a bare
    /// <c>role</c> grants it on each namespace in <see cref="JwtNamespacesClaim"/>, or on <c>default</c> when that
    /// claim is absent. Default <c>roles</c>.
    /// </summary>
    public string JwtRolesClaim { get; set; } = "roles";

    /// <summary>The claim listing the namespaces bare roles apply to (<c>*</c>: every one). Default <c>namespaces</c>.</summary>
    public string JwtNamespacesClaim { get; set; } = "namespaces";

    /// <summary>Whether the authority's metadata must be fetched over HTTPS. Default true.</summary>
    public bool JwtRequireHttpsMetadata { get; set; } = true;

    /// <summary>Whether JWT bearer tokens are accepted.</summary>
    public bool JwtEnabled => !string.IsNullOrWhiteSpace(JwtAuthority) || !string.IsNullOrWhiteSpace(JwtIssuer) || !string.IsNullOrWhiteSpace(JwtSigningKey);

    /// <summary>Problems with the settings, each naming the setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (AdminToken is { Length: > 0 and < 16 })
        {
            yield return $"AdminToken: {AdminToken.Length} characters is too short to be a secret; use at least 16 (the generated one has 64).";
        }
        if (!JwtEnabled)
        {
            yield break;
        }
        if (string.IsNullOrWhiteSpace(JwtAudience))
        {
            yield return "JwtAudience: required when JWT bearer tokens are on (JwtIssuer, JwtAuthority or JwtSigningKey set).";
        }
        if (string.IsNullOrWhiteSpace(JwtAuthority) && string.IsNullOrWhiteSpace(JwtSigningKey))
        {
            yield return "JwtSigningKey: give a signing key (base64:… or an RSA public key in PEM) or JwtAuthority (its discovery document gives the keys).";
        }
        if (string.IsNullOrWhiteSpace(JwtAuthority) && string.IsNullOrWhiteSpace(JwtIssuer))
        {
            yield return "JwtIssuer: required without JwtAuthority.";
        }
        if (!string.IsNullOrWhiteSpace(JwtSigningKey) && JwtKeys.Problem(JwtSigningKey) is { } keyProblem)
        {
            yield return "JwtSigningKey: " + keyProblem;
        }
        foreach (var (name, value) in new[] { ("JwtNameClaim", JwtNameClaim), ("JwtRolesClaim", JwtRolesClaim), ("JwtNamespacesClaim", JwtNamespacesClaim) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return $"{name}: must name a claim.";
            }
        }
    }
}
