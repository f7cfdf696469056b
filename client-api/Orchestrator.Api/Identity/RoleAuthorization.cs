using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Api.Common;

namespace Orchestrator.Api.Identity;

/// <summary>
/// The caller holds the role the endpoint needs (<see cref="EndpointRoles"/>) on some namespace (on <c>*</c> for the
/// endpoints of <see cref="EndpointRoles.OnEveryNamespace"/>). The role on the object's own namespace is checked once the
/// object is read (<see cref="NamespaceGuard"/>) or, for a create, on the namespace it is created in.
/// </summary>
public sealed class EndpointRoleRequirement : IAuthorizationRequirement
{
    public static EndpointRoleRequirement Instance { get; } = new();
}

/// <summary>Checks <see cref="EndpointRoleRequirement"/>; a refusal names the role and namespace needed.</summary>
public sealed class EndpointRoleHandler : AuthorizationHandler<EndpointRoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, EndpointRoleRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Resource is not HttpContext http || CallerClaims.NameOf(context.User) is null)
        {
            return Task.CompletedTask;
        }
        var needed = NeededBy(http);
        var grants = CallerClaims.GrantsOf(context.User);
        if (EndpointRoles.OnEveryNamespace(Pattern(http)))
        {
            if (grants.Allows(Roles.AnyNamespace, needed))
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new AuthorizationFailureReason(this, Access.Refusal(needed, Roles.AnyNamespace)));
            }
        }
        else if (grants.AllowsSomewhere(needed))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, Access.RefusalAnywhere(needed)));
        }
        return Task.CompletedTask;
    }

    private static string Pattern(HttpContext http)
    {
        var pattern = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "";
        return pattern.StartsWith('/') ? pattern : "/" + pattern;
    }

    /// <summary>The role the request's endpoint needs.</summary>
    public static Role NeededBy(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return EndpointRoles.Required(http.Request.Method, Pattern(http), http.GetRouteValue("action") as string);
    }
}

/// <summary>Role checks an endpoint makes itself (for an object whose namespace it has read).</summary>
public static class Access
{
    /// <summary>Whether the caller holds <paramref name="needed"/> (or a role implying it) on <paramref name="ns"/>.</summary>
    public static bool Allows(System.Security.Claims.ClaimsPrincipal user, string ns, Role needed) => CallerClaims.GrantsOf(user).Allows(ns, needed);

    public static string Refusal(Role needed, string ns) =>
        $"This needs the '{Roles.Name(needed)}' role (or one implying it) on namespace '{ns}'.";

    public static string RefusalAnywhere(Role needed) =>
        $"This needs the '{Roles.Name(needed)}' role (or one implying it) on the namespace of the object; the caller holds it on no namespace.";

    /// <summary>A 403 naming the role needed and where, as the authorization middleware answers it.</summary>
    public static ProblemHttpResult Forbidden(HttpContext http, string reason)
    {
        ArgumentNullException.ThrowIfNull(http);
        return TypedResults.Problem(title: "Forbidden.", statusCode: StatusCodes.Status403Forbidden,
            detail: $"{CallerClaims.NameOf(http.User)} may not {http.Request.Method} {http.Request.Path}: {reason}");
    }
}

/// <summary>
/// Answers a refused request with RFC 7807 problem details: 401 with <c>WWW-Authenticate: Bearer</c> when no valid
/// credential came (what was wrong, never the token), 403 naming the role needed when the caller may not.
/// </summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Succeeded || !ProblemHandling.IsApi(context.Request.Path))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }
        if (authorizeResult.Challenged || CallerClaims.NameOf(context.User) is null)
        {
            var failure = context.Features.Get<AuthenticationFailureFeature>()?.Message;
            var given = Bearer.Given(context.Request);
            context.Response.Headers.WWWAuthenticate = given
                ? "Bearer realm=\"orchestrator\", error=\"invalid_token\""
                : "Bearer realm=\"orchestrator\"";
            await TypedResults.Problem(title: "Unauthorized.", statusCode: StatusCodes.Status401Unauthorized,
                detail: given
                    ? (failure ?? "The bearer token was not accepted.") + " Send a valid token: Authorization: Bearer <token>."
                    : "Authentication is required: send Authorization: Bearer <token> (an API token, the admin token, or a JWT if configured).")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        var reason = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message
            ?? Access.RefusalAnywhere(EndpointRoleHandler.NeededBy(context));
        await Access.Forbidden(context, reason).ExecuteAsync(context).ConfigureAwait(false);
    }
}

/// <summary>Why authentication failed, kept for the 401's detail (the handlers' message, never the token).</summary>
public sealed class AuthenticationFailureFeature(string message)
{
    public string Message => message;
}
