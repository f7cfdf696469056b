using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Orchestrator.Api.Identity;

/// <summary>
/// OpenID Connect / JWT bearer tokens (on when <see cref="AuthOptions.JwtEnabled"/>): validated by
/// <c>Microsoft.AspNetCore.Authentication.JwtBearer</c> (issuer, audience, lifetime, signature), then mapped to the
/// caller's name and grants by the claims <see cref="AuthOptions"/> names.
/// </summary>
public static class JwtMapping
{
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;

    public static void Configure(JwtBearerOptions jwt, AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        ArgumentNullException.ThrowIfNull(auth);
        jwt.MapInboundClaims = false; // claim names as the token has them: the settings name them so
        jwt.Authority = string.IsNullOrWhiteSpace(auth.JwtAuthority) ? null : auth.JwtAuthority;
        jwt.RequireHttpsMetadata = auth.JwtRequireHttpsMetadata;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = string.IsNullOrWhiteSpace(auth.JwtIssuer) ? null : auth.JwtIssuer,
            ValidateAudience = true,
            ValidAudience = auth.JwtAudience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromMinutes(1),
            NameClaimType = auth.JwtNameClaim,
        };
        if (!string.IsNullOrWhiteSpace(auth.JwtSigningKey))
        {
            jwt.TokenValidationParameters.IssuerSigningKey = JwtKeys.Read(auth.JwtSigningKey);
            jwt.TokenValidationParameters.ValidateIssuerSigningKey = true;
        }
        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var principal = context.Principal!;
                var name = principal.FindFirst(auth.JwtNameClaim)?.Value;
                if (string.IsNullOrWhiteSpace(name))
                {
                    context.HttpContext.Features.Set(new AuthenticationFailureFeature($"The JWT has no '{auth.JwtNameClaim}' claim to name the caller."));
                    context.Fail($"The JWT has no '{auth.JwtNameClaim}' claim to name the caller.");
                    return Task.CompletedTask;
                }
                var grants = Grants(Values(principal, auth.JwtRolesClaim), Values(principal, auth.JwtNamespacesClaim));
                context.Principal = new ClaimsPrincipal(CallerClaims.Identity(Scheme, name, grants, "jwt"));
                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                // The kind of failure only: the exception's message may quote the token's claims.
                context.HttpContext.Features.Set(new AuthenticationFailureFeature(context.Exception switch
                {
                    SecurityTokenExpiredException => "The JWT expired.",
                    SecurityTokenNotYetValidException => "The JWT is not valid yet.",
                    SecurityTokenInvalidIssuerException => "The JWT's issuer is not the configured one.",
                    SecurityTokenInvalidAudienceException => "The JWT's audience is not the configured one.",
                    SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The JWT's signature does not check out.",
                    _ => "The JWT was not accepted.",
                }));
                return Task.CompletedTask;
            },
            // The authorization result handler answers 401 with problem details; the scheme writes nothing itself.
            OnChallenge = context =>
            {
                context.HandleResponse();
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>
    /// Checks a JWT's lifetime on <paramref name="clock"/> (the API's injected clock) instead of the library's wall
    /// clock, with the configured skew: expired and not-yet-valid tokens fail with the library's own exceptions.
    /// </summary>
    public static void UseClock(JwtBearerOptions jwt, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        ArgumentNullException.ThrowIfNull(clock);
        jwt.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            if (expires is { } end && now > end + parameters.ClockSkew)
            {
                throw new SecurityTokenExpiredException("The JWT expired.") { Expires = end };
            }
            if (notBefore is { } start && now < start - parameters.ClockSkew)
            {
                throw new SecurityTokenNotYetValidException("The JWT is not valid yet.") { NotBefore = start };
            }
            return true;
        };
    }

    /// <summary>
    /// Grants from the roles claim's values (<c>namespace:role</c>, or a bare role on each of
    /// <paramref name="namespaces"/>, <c>default</c> when none). Unknown roles are ignored. Pure: unit-tested.
    /// </summary>
    public static AccessGrants Grants(IReadOnlyList<string> roles, IReadOnlyList<string> namespaces)
    {
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(namespaces);
        var bareOn = namespaces.Where(AccessGrants.IsNamespace).ToList();
        if (bareOn.Count == 0)
        {
            bareOn.Add(Roles.DefaultNamespace);
        }
        var pairs = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        foreach (var value in roles)
        {
            var colon = value.LastIndexOf(':');
            if (colon > 0 && AccessGrants.IsNamespace(value[..colon]))
            {
                pairs.Add(new(value[..colon], [value[(colon + 1)..]]));
            }
            else if (colon < 0)
            {
                pairs.AddRange(bareOn.Select(ns => new KeyValuePair<string, IReadOnlyList<string>>(ns, [value])));
            }
        }
        return new AccessGrants(pairs);
    }

    /// <summary>A claim's values: each claim of that type, a JSON array's items flattened.</summary>
    private static List<string> Values(ClaimsPrincipal principal, string type)
    {
        var values = new List<string>();
        foreach (var claim in principal.FindAll(type))
        {
            if (claim.ValueType == "JSON_ARRAY" || claim.Value.StartsWith('['))
            {
                try
                {
                    using var document = JsonDocument.Parse(claim.Value);
                    values.AddRange(document.RootElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
                    continue;
                }
                catch (JsonException)
                {
                    // not an array after all: the text itself
                }
            }
            values.Add(claim.Value);
        }
        return values;
    }
}
