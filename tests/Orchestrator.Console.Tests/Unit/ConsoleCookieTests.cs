using Microsoft.AspNetCore.Http;
using Orchestrator.Api.Identity;

namespace Orchestrator.Console.Tests.Unit;

/// <summary>When the console's session cookie stands for a bearer token (<see cref="ConsoleCookie.TokenFor"/>).</summary>
public sealed class ConsoleCookieTests
{
    private static HttpRequest Request(string path, bool header = true, string? cookie = "orch_x", string? authorization = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Path = path;
        if (header)
        {
            http.Request.Headers[ConsoleCookie.HeaderName] = "1";
        }
        if (cookie is not null)
        {
            http.Request.Headers.Cookie = $"{ConsoleCookie.CookieName}={cookie}";
        }
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }
        return http.Request;
    }

    [Fact]
    public void TokenFor_ApiRequestWithHeaderAndCookie_IsTheCookie() =>
        Assert.Equal("orch_x", ConsoleCookie.TokenFor(Request("/api/v1/task-instances")));

    [Fact]
    public void TokenFor_NoConsoleHeader_IsNull() => Assert.Null(ConsoleCookie.TokenFor(Request("/api/v1/task-instances", header: false)));

    [Fact]
    public void TokenFor_HeaderNotOne_IsNull()
    {
        var request = Request("/api/v1/me");
        request.Headers[ConsoleCookie.HeaderName] = "true";
        Assert.Null(ConsoleCookie.TokenFor(request));
    }

    [Fact]
    public void TokenFor_NoCookie_IsNull() => Assert.Null(ConsoleCookie.TokenFor(Request("/api/v1/me", cookie: null)));

    [Fact]
    public void TokenFor_AuthorizationGiven_LeavesItAlone() =>
        Assert.Null(ConsoleCookie.TokenFor(Request("/api/v1/me", authorization: "Bearer other")));

    [Theory]
    [InlineData("/api/v1/agent/poll")]
    [InlineData("/api/v1/jobs")]
    [InlineData("/api/v1/stats")]
    [InlineData("/console/session")]
    [InlineData("/dashboard")]
    public void TokenFor_OutsideTheRestApi_IsNull(string path) => Assert.Null(ConsoleCookie.TokenFor(Request(path)));
}
