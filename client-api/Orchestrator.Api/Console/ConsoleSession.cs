using Microsoft.AspNetCore.Authentication;
using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;

namespace Orchestrator.Api.WebConsole; // not ".Console": that would hide System.Console in the whole assembly

/// <summary>
/// The console's sign-in and sign-out (<c>/console/session</c>) and <c>GET /api/v1/me</c>: who the caller is and what
/// it holds, so that the console shows only the actions the caller's roles allow (the API checks them again anyway).
/// </summary>
public static class ConsoleSession
{
    /// <summary>A browser keeps cookies of up to about 4 KiB; a longer token could not be stored.</summary>
    public const int MaxTokenLength = 3800;

    /// <summary>Sign-in and sign-out: outside <c>/api/v1</c>, each needs the console's header (<see cref="ConsoleCookie"/>).</summary>
    public static IEndpointRouteBuilder MapConsoleSession(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/console/session", SignIn).ExcludeFromDescription();
        routes.MapDelete("/console/session", SignOut).ExcludeFromDescription();
        return routes;
    }

    /// <summary><c>GET /api/v1/me</c>, under the API's caller policy (a viewer's read).</summary>
    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder callers)
    {
        callers.MapGet("/api/v1/me", (HttpContext http) => TypedResults.Ok(Me(http.User))).WithTags("Console");
        return callers;
    }

    private static MeReply Me(System.Security.Claims.ClaimsPrincipal user) =>
        new(CallerClaims.NameOf(user), user.FindFirst(CallerClaims.Method)?.Value, CallerClaims.GrantsOf(user).ToNames());

    /// <summary>The caller: its principal, how it authenticated, and its roles per namespace.</summary>
    public sealed record MeReply(string? Principal, string? Method, IReadOnlyDictionary<string, IReadOnlyList<string>> Grants);

    /// <summary>
    /// <c>{"token": "…"}</c>: checks the token as the API would (the same schemes) and, if it is accepted, sets the
    /// session cookie and answers what <c>/api/v1/me</c> would; a refused token gets the API's 401 and no cookie.
    /// </summary>
    private static async Task<IResult> SignIn(HttpContext http, CancellationToken cancellationToken)
    {
        if (!ConsoleCookie.HasHeader(http.Request))
        {
            return MissingHeader();
        }
        using var body = await JsonBody.ReadAsync(http, required: true, cancellationToken);
        if (body.Error is { } error)
        {
            return Problems.From(error);
        }
        var fields = JsonFields.Of(body.Root);
        var token = fields.String("token", MaxTokenLength)?.Trim();
        fields.RefuseUnknown();
        if (fields.Errors.Count == 0 && string.IsNullOrEmpty(token))
        {
            fields.Add("token", "Give the API token (orch_<id>_<secret>), the admin token or a JWT.");
        }
        if (fields.Errors.Count == 0 && token!.Any(char.IsControl))
        {
            fields.Add("token", "Holds control characters.");
        }
        if (fields.Errors.Count > 0)
        {
            return Problems.Validation(fields.Errors);
        }
        http.Request.Headers.Authorization = "Bearer " + token;
        var result = await http.AuthenticateAsync(IdentityRegistration.Scheme);
        if (!result.Succeeded || CallerClaims.NameOf(result.Principal) is null)
        {
            var failure = http.Features.Get<AuthenticationFailureFeature>()?.Message ?? "The token was not accepted.";
            return TypedResults.Problem(title: "Unauthorized.", statusCode: StatusCodes.Status401Unauthorized, detail: failure);
        }
        http.Response.Cookies.Append(ConsoleCookie.CookieName, token!, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(Me(result.Principal!));
    }

    private static IResult SignOut(HttpContext http)
    {
        if (!ConsoleCookie.HasHeader(http.Request))
        {
            return MissingHeader();
        }
        http.Response.Cookies.Delete(ConsoleCookie.CookieName, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = "/" });
        return TypedResults.NoContent();
    }

    private static IResult MissingHeader() =>
        Problems.Field(ConsoleCookie.HeaderName, $"Send the header {ConsoleCookie.HeaderName}: 1 (the console's fetch does); a form post cannot.");
}
