using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Api.Common;

namespace Orchestrator.Api.Identity;

/// <summary>The caller holds the role the endpoint needs (<see cref="EndpointRoles"/>) on the object's namespace.</summary>
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
        if (Access.Allows(context.User, Roles.DefaultNamespace, needed))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, Access.Refusal(needed, Roles.DefaultNamespace)));
        }
        return Task.CompletedTask;
    }

    /// <summary>The role the request's endpoint needs.</summary>
    public static Role NeededBy(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var pattern = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "";
        if (!pattern.StartsWith('/'))
        {
            pattern = "/" + pattern;
        }
        return EndpointRoles.Required(http.Request.Method, pattern, http.GetRouteValue("action") as string);
    }
}

/// <summary>Role checks an endpoint makes itself (for an object whose namespace it has read).</summary>
public static class Access
{
    /// <summary>Whether the caller holds <paramref name="needed"/> (or a role implying it) on <paramref name="ns"/>.</summary>
    public static bool Allows(System.Security.Claims.ClaimsPrincipal user, string ns, Role needed) => CallerClaims.GrantsOf(user).Allows(ns, needed);

    public static string Refusal(Role needed, string ns) =>
        $"This needs the '{Roles.Name(needed)}' role (or one implying it) on namespace '{ns}'.";
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
            ?? Access.Refusal(EndpointRoleHandler.NeededBy(context), Roles.DefaultNamespace);
        await TypedResults.Problem(title: "Forbidden.", statusCode: StatusCodes.Status403Forbidden,
            detail: $"{CallerClaims.NameOf(context.User)} may not {context.Request.Method} {context.Request.Path}: {reason}")
            .ExecuteAsync(context).ConfigureAwait(false);
    }
}

/// <summary>Why authentication failed, kept for the 401's detail (the handlers' message, never the token).</summary>
public sealed class AuthenticationFailureFeature(string message)
{
    public string Message => message;
}
