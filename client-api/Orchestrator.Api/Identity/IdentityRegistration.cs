using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Orchestrator.Api.Identity;

/// <summary>Authentication and role checks of the REST API (docs/api.md, Authentication).</summary>
public static class IdentityRegistration
{
    /// <summary>The scheme the API's policy authenticates with: forwards to the API token or the JWT handler.</summary>
    public const string Scheme = "Orchestrator";

    public const string Policy = "OrchestratorCaller";

    public static IServiceCollection AddOrchestratorIdentity(this IServiceCollection services, AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(auth);
        services.AddSingleton(auth);
        // No default scheme: only endpoints under the policy authenticate, so the agent gateway, the jobs API
        // (their own schemes) and /healthz never run a token check.
        var authentication = services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddPolicyScheme(Scheme, "Orchestrator API", o => o.ForwardDefaultSelector = http =>
                auth.JwtEnabled && Bearer.Of(http.Request) is { } token && LooksLikeJwt(token) ? JwtMapping.Scheme : ApiTokenHandler.SchemeName);
        if (auth.JwtEnabled)
        {
            authentication.AddJwtBearer(JwtMapping.Scheme, o => JwtMapping.Configure(o, auth));
            services.AddOptions<JwtBearerOptions>(JwtMapping.Scheme).Configure<Common.ApiContext>((o, api) => JwtMapping.UseClock(o, api.Clock));
        }
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .AddRequirements(EndpointRoleRequirement.Instance));
        services.AddSingleton<IAuthorizationHandler, EndpointRoleHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return services;
    }

    /// <summary>Every endpoint under <paramref name="routes"/> needs an authenticated caller holding the endpoint's role.</summary>
    public static TBuilder RequireCaller<TBuilder>(this TBuilder routes)
        where TBuilder : IEndpointConventionBuilder => routes.RequireAuthorization(Policy);

    /// <summary>A compact JWS: three base64url parts; an API token has none of its dots.</summary>
    private static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2;
}
