using Microsoft.AspNetCore.Hosting;
using Orchestrator.Api.Common;

namespace Orchestrator.Api.Identity;

/// <summary>
/// The web console's session (docs/console.md): its sign-in stores the caller's token in an <c>HttpOnly</c>,
/// <c>SameSite=Strict</c> cookie, and a REST API request carrying that cookie <b>and</b> the header
/// <c>X-Orch-Console: 1</c> (and no <c>Authorization</c> of its own) is authenticated as if it had sent
/// <c>Authorization: Bearer &lt;token&gt;</c>. The cookie alone authenticates nothing: a cross-site form or image cannot
/// set a custom header, and a cross-site <c>fetch</c> with one needs a CORS preflight this server never grants, so the
/// header is the CSRF defence. Every scheme (API token, admin token, JWT) and every role check applies unchanged.
/// </summary>
public static class ConsoleCookie
{
    public const string CookieName = "orch_console";

    public const string HeaderName = "X-Orch-Console";

    /// <summary>Whether the request carries the console's header (<c>X-Orch-Console: 1</c>).</summary>
    public static bool HasHeader(HttpRequest request) =>
        request?.Headers[HeaderName] is { Count: 1 } values && values[0] == "1";

    /// <summary>The token of the console's cookie for a REST API request that may use it; null otherwise.</summary>
    public static string? TokenFor(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ProblemHandling.IsApi(request.Path) || ProblemHandling.IsHarbor(request.Path) || ProblemHandling.IsAgentGateway(request.Path)
            || Bearer.Given(request) || !HasHeader(request))
        {
            return null;
        }
        return CookieToken(request);
    }

    /// <summary>The token the console's cookie holds, when it holds a plausible one (bounded, no control characters); null otherwise.</summary>
    public static string? CookieToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Cookies[CookieName] is { Length: > 0 and <= 8192 } token && !token.Any(char.IsControl) ? token : null;
    }

    /// <summary>Adds the middleware that turns the console's cookie into the bearer token, before any authentication.</summary>
    public static IServiceCollection AddConsoleCookie(this IServiceCollection services)
    {
        services.AddTransient<IStartupFilter, StartupFilter>();
        return services;
    }

    private sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                if (TokenFor(http.Request) is { } token)
                {
                    http.Request.Headers.Authorization = "Bearer " + token;
                }
                return nextMiddleware(http);
            });
            next(app);
        };
    }
}
