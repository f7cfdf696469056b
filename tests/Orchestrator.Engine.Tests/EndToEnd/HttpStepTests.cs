using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.EndToEnd;

/// <summary>http steps end to end: the plan through the API, real agents making the request to a server in the test.</summary>
[Collection(FleetCollection.Name)]
public sealed class HttpStepTests(FleetFixture fleet) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly ConcurrentQueue<(string Path, string Body, string? Token)> received = new();
    private WebApplication server = null!;
    private EngineHarness H => fleet.Harness;

    private string BaseUrl => server.Urls.First();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        server = builder.Build();
        server.MapPost("/hooks/{host}", async (string host, HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            received.Enqueue(($"/hooks/{host}{context.Request.QueryString}", await reader.ReadToEndAsync(context.RequestAborted), context.Request.Headers["X-Token"]));
            return Results.Text($"hook accepted for {host}", statusCode: 202);
        });
        server.MapGet("/broken", () => Results.Text("database down", statusCode: 500));
        await server.StartAsync();
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task HttpStep_OnEachTarget_RequestsWithRenderedTemplatesAndLogsTheResponse()
    {
        var plan = await H.PutPlanAsync($$$"""
            name: notify
            parameters:
              - name: version
              - name: token
                type: secret
            steps:
              - name: notify
                targets:
                  selector: role=web
                http:
                  method: POST
                  url: "{{{BaseUrl}}}/hooks/${{ host }}?v=${{ params.version }}"
                  headers:
                    X-Token: "${{ params.token }}"
                  body: "deployed ${{ params.version }} on ${{ host }}"
                  expectStatus: [202]
                  timeout: 10s
            """);
        var id = await H.RunAsync(plan, new { version = "1.2.3", token = "t0ps3cret" });

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Equal(2, done["steps"]![0]!["targets"]!["succeeded"]!.GetValue<long>());
        Assert.Equal(
            [("/hooks/web-1?v=1.2.3", "deployed 1.2.3 on web-1", "t0ps3cret"), ("/hooks/web-2?v=1.2.3", "deployed 1.2.3 on web-2", "t0ps3cret")],
            received.OrderBy(r => r.Path, StringComparer.Ordinal).Select(r => (r.Path, r.Body, r.Token)));
        Assert.Equal("202", (await H.GetTargetAsync(id, 0, "web-1"))["outputs"]!["status"]!.GetValue<string>());
        var log = await H.LogTextAsync(id, 0, "web-2");
        Assert.Contains("> POST ", log);
        Assert.Contains("< HTTP/1.1 202 Accepted", log);
        Assert.Contains("hook accepted for web-2", log);
        Assert.Contains("X-Token: ***", log);
        Assert.DoesNotContain("t0ps3cret", log);
    }

    [Fact]
    public async Task HttpStep_UnexpectedStatus_TargetFailsWithTheStatusAsItsError()
    {
        var plan = await H.PutPlanAsync($$"""
            name: probe
            steps:
              - name: probe
                targets:
                  hosts: [db-1]
                http: "{{BaseUrl}}/broken"
            """);
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        var target = await H.GetTargetAsync(id, 0, "db-1");
        Assert.Equal("failed", target["status"]!.GetValue<string>());
        Assert.Contains("HTTP 500", target["attempts"]![0]!["error"]!.GetValue<string>());
        Assert.Contains("database down", await H.LogTextAsync(id, 0, "db-1"));
    }
}
