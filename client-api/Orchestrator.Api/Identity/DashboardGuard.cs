using Microsoft.AspNetCore.Authentication;

namespace Orchestrator.Api.Identity;

/// <summary>
/// The Orleans dashboard (<c>/dashboard</c>) is for admins of every namespace (<c>admin</c> on <c>*</c>): it shows every
/// namespace's grains and their state. A request needs <c>Authorization: Bearer &lt;token&gt;</c>, or — for a browser
/// that followed the console's link — the console's session cookie on a <c>GET</c> or <c>HEAD</c> (the dashboard's pages
/// and data reads; the cookie is <c>SameSite=Strict</c>, so no other site's page sends it). Anything else is 401, and
/// a caller who is not an admin of every namespace 403.
/// </summary>
public static class DashboardGuard
{
    public static IApplicationBuilder UseDashboardGuard(this IApplicationBuilder app, PathString path)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseWhen(http => http.Request.Path.StartsWithSegments(path, StringComparison.OrdinalIgnoreCase), branch => branch.Use(CheckAsync));
    }

    private static async Task CheckAsync(HttpContext http, RequestDelegate next)
    {
        var request = http.Request;
        if (!Bearer.Given(request))
        {
            if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) || ConsoleCookie.CookieToken(request) is not { } cookie)
            {
                await RefuseAsync(http, StatusCodes.Status401Unauthorized,
                    "The Orleans dashboard needs an admin of every namespace: sign in to the console (/) with such a token, or send Authorization: Bearer <token>.");
                return;
            }
            request.Headers.Authorization = "Bearer " + cookie;
        }
        var result = await http.AuthenticateAsync(IdentityRegistration.Scheme);
        if (!result.Succeeded || result.Principal is null)
        {
            await RefuseAsync(http, StatusCodes.Status401Unauthorized, result.Failure?.Message ?? "The bearer token is not one of this server's.");
            return;
        }
        if (!CallerClaims.GrantsOf(result.Principal).AdministersGrant(Roles.AnyNamespace))
        {
            await RefuseAsync(http, StatusCodes.Status403Forbidden,
                $"{CallerClaims.NameOf(result.Principal)} may not open the Orleans dashboard: it shows every namespace's grains, so it needs the 'admin' role on '*'.");
            return;
        }
        http.User = result.Principal;
        await next(http);
    }

    private static Task RefuseAsync(HttpContext http, int status, string detail)
    {
        if (status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"orchestrator\"";
        }
        return TypedResults.Problem(title: status == StatusCodes.Status401Unauthorized ? "Unauthorized." : "Forbidden.", detail: detail, statusCode: status).ExecuteAsync(http);
    }
}
