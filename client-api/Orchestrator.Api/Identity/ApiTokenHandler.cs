using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Identity;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> with the admin token or an API token (<see cref="TokenText"/>). An API
/// token costs one read of its grain and a constant-time compare of the secret's hash; an unknown, revoked or expired
/// token, a wrong secret and a malformed token fail (401). Anything else is not this scheme's (no result), so that a
/// JWT can be tried.
/// </summary>
public sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AuthOptions auth,
    ApiContext api) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OrchestratorToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var given = Bearer.Of(Request);
        if (given is null)
        {
            return AuthenticateResult.NoResult();
        }
        if (auth.AdminToken is { Length: > 0 } admin
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(admin))))
        {
            return Success(auth.AdminPrincipal, AccessGrants.Everything, "admin-token", null);
        }
        if (!TokenText.TryParse(given, out var id, out var secret))
        {
            return TokenText.LooksLikeToken(given) || !auth.JwtEnabled
                ? Fail("The bearer token is not an API token (orch_<id>_<secret>) of this server.")
                : AuthenticateResult.NoResult();
        }
        var check = await api.Client.GetGrain<IApiTokenGrain>(id).GetCheckAsync();
        // The hash is compared even for an unknown token, so that the answer's time does not say which ids exist.
        var matches = CryptographicOperations.FixedTimeEquals(TokenText.Hash(secret), check?.SecretHash ?? new byte[32]);
        if (check is null || !matches)
        {
            return Fail("Unknown API token.");
        }
        if (check.Revoked)
        {
            return Fail("The API token was revoked.");
        }
        if (check.ExpiresAt is { } expires && api.Clock.GetUtcNow() >= expires)
        {
            return Fail("The API token expired.");
        }
        return Success(check.Name, new AccessGrants(check.Grants), "api-token", id);
    }

    /// <summary>A refusal whose reason the 401 shows (<see cref="AuthenticationFailureFeature"/>).</summary>
    private AuthenticateResult Fail(string message)
    {
        Context.Features.Set(new AuthenticationFailureFeature(message));
        return AuthenticateResult.Fail(message);
    }

    private AuthenticateResult Success(string name, AccessGrants grants, string method, string? tokenId) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(CallerClaims.Identity(SchemeName, name, grants, method, tokenId)), SchemeName));
}

/// <summary>The bearer token of a request.</summary>
public static class Bearer
{
    /// <summary>The token of <c>Authorization: Bearer &lt;token&gt;</c>; null when there is none.</summary>
    public static string? Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization;
        if (header.Count != 1)
        {
            return null;
        }
        var value = header[0] ?? "";
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = value[7..].Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>Whether the request carries an <c>Authorization</c> header at all.</summary>
    public static bool Given(HttpRequest request) => request?.Headers.Authorization.Count > 0;
}
