using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Orchestrator.Api.Hosting;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.ApiCommon;

/// <summary>
/// The safety net on endpoints written the ordinary minimal-API way (framework binding, no checks of their own), as an
/// endpoint added later would be: a real Kestrel host with the API's services and nothing else.
/// </summary>
public sealed class ProblemHandlingTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public sealed record Probe(int Count, string Name);

    public async Task InitializeAsync()
    {
        var server = $"http://127.0.0.1:{EngineHarness.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(server);
        builder.Logging.ClearProviders();
        builder.Services.AddOrchestratorApi(new ApiOptions { AgentToken = "t" });
        _app = builder.Build();
        _app.MapGet("/api/v1/probe", (int? count) => TypedResults.Ok(count));
        _app.MapPost("/api/v1/probe", ([FromBody] Probe probe) => TypedResults.Ok(probe));
        _app.MapGet("/api/v1/probe/throws", IResult () => throw new InvalidOperationException("secret detail"));
        _app.MapGet("/api/v1/probe/empty", () => Results.StatusCode(409));
        _app.MapGet("/api/v1/probe/number/{n:int}", (int n) => n);
        _app.MapPost("/api/v1/jobs/probe", ([FromBody] Probe probe) => TypedResults.Ok(probe));
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(server) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
            request.Headers.ExpectContinue = body.Length > 64 * 1024;
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrWhiteSpace(text), $"{method} {path}: {(int)response.StatusCode} with an empty body");
        return (response.StatusCode, JsonNode.Parse(text)!);
    }

    private static IEnumerable<string> Paths(JsonNode body) => body["errors"]?.AsArray().Select(e => e!["path"]!.GetValue<string>()) ?? [];

    [Fact]
    public async Task QueryBindingFailure_IsA400NamingTheParameter()
    {
        var (status, body) = await SendAsync(HttpMethod.Get, "/api/v1/probe?count=2147483648");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("count", Paths(body));
        Assert.NotNull(body["traceId"]);
    }

    [Fact]
    public async Task BodyOfTheWrongType_IsA400NamingTheJsonPath()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/probe", """{"count":"five","name":"x"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("count", Paths(body));
    }

    [Fact]
    public async Task BodyInAnotherContentType_IsA415NamingIt()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/probe", "count=5", "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("Content-Type", Paths(body));
    }

    [Fact]
    public async Task BodyOverTheDefaultLimit_IsA413()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/probe", $$"""{"count":1,"name":"{{new string('n', 2 * 1024 * 1024)}}"}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("body", Paths(body));
    }

    [Fact]
    public async Task UnhandledException_IsA500ProblemThatShowsNothingOfIt()
    {
        var (status, body) = await SendAsync(HttpMethod.Get, "/api/v1/probe/throws");

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.NotNull(body["traceId"]);
        Assert.DoesNotContain("secret detail", body.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/probe/empty", HttpStatusCode.Conflict)]
    [InlineData("/api/v1/probe/number/x", HttpStatusCode.NotFound)]
    [InlineData("/api/v1/nowhere", HttpStatusCode.NotFound)]
    public async Task EmptyErrorAnswer_GetsAProblemBody(string path, HttpStatusCode expected)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, path);

        Assert.Equal(expected, status);
        Assert.Equal((int)expected, body["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(body["title"]!.GetValue<string>()));
    }

    [Fact]
    public async Task JobsPathBindingFailure_IsHarborsErrorBody()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/jobs/probe", """{"count":[],"name":"x"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(400, body["code"]!.GetValue<int>());
        Assert.StartsWith("count:", body["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
