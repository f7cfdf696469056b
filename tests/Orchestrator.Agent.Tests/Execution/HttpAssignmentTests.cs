using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Execution;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Execution;

/// <summary>Http assignments run by a real agent against a real Kestrel server in the test.</summary>
public sealed class HttpAssignmentTests
{
    private static Assignment Http(AgentHarness harness, HttpWork work, IReadOnlyList<string>? secrets = null) => new()
    {
        Id = harness.NewId("http"),
        Host = harness.Host,
        Kind = AssignmentKind.Http,
        Http = work,
        Secrets = secrets ?? [],
    };

    [Fact]
    public async Task Http_ExpectedStatus_SucceedsWithStatusOutputAndLog()
    {
        await using var target = await TargetServer.StartAsync();
        await using var harness = await AgentHarness.StartAsync();
        var assignment = Http(harness, new HttpWork
        {
            Method = "POST",
            Url = target.Url("/echo"),
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer abc", ["X-Deploy"] = "v1", ["Content-Type"] = "application/json" },
            Body = "{\"token\":\"s3cret\"}",
            ExpectStatus = ["201"],
        }, secrets: ["s3cret"]);

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        Assert.Null(finished.ExitCode);
        Assert.Equal("201", finished.Outputs?["status"]);
        var received = Assert.Single(target.Requests);
        Assert.Equal(("POST", "{\"token\":\"s3cret\"}", "v1", "application/json"), (received.Method, received.Body, received.Header("X-Deploy"), received.Header("Content-Type")));
        var stdout = harness.Server.Log(assignment.Id, "stdout");
        Assert.Contains($"> POST {target.Url("/echo")}\n", stdout, StringComparison.Ordinal);
        Assert.Contains("> Authorization: ***\n", stdout, StringComparison.Ordinal);
        Assert.Contains("< HTTP/1.1 201 Created\n", stdout, StringComparison.Ordinal);
        Assert.Contains("< X-Served-By: test\n", stdout, StringComparison.Ordinal);
        Assert.Contains("{\"token\":\"***\"}", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_UnexpectedStatus_FailedWithStatusInMessageAndOutput()
    {
        await using var target = await TargetServer.StartAsync();
        await using var harness = await AgentHarness.StartAsync();
        var assignment = Http(harness, new HttpWork { Url = target.Url("/status/503") });

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Failed, finished.Outcome);
        Assert.Null(finished.ExitCode);
        Assert.Equal("503", finished.Outputs?["status"]);
        Assert.Contains("HTTP 503", finished.Message, StringComparison.Ordinal);
        Assert.Contains("expected 2xx", finished.Message, StringComparison.Ordinal);
        Assert.Contains("status 503 body", harness.Server.Log(assignment.Id, "stdout"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_RedirectNotFollowed_RedirectStatusChecked()
    {
        await using var target = await TargetServer.StartAsync();
        await using var harness = await AgentHarness.StartAsync();
        var following = Http(harness, new HttpWork { Url = target.Url("/redirect") });
        var notFollowing = Http(harness, new HttpWork { Url = target.Url("/redirect"), FollowRedirects = false, ExpectStatus = ["3xx"] });

        var followed = await harness.EnqueueAndWaitAsync(following);
        var stopped = await harness.EnqueueAndWaitAsync(notFollowing);

        Assert.Equal((AgentOutcome.Succeeded, "200"), (followed.Outcome, followed.Outputs?["status"]));
        Assert.Equal((AgentOutcome.Succeeded, "302"), (stopped.Outcome, stopped.Outputs?["status"]));
    }

    [Fact]
    public async Task Http_LongBody_LogTruncatedAt64KiB()
    {
        await using var target = await TargetServer.StartAsync();
        await using var harness = await AgentHarness.StartAsync();
        var assignment = Http(harness, new HttpWork { Url = target.Url("/big") });

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        var stdout = harness.Server.Log(assignment.Id, "stdout");
        Assert.Contains(new string('x', HttpExecutor.MaxLoggedBodyBytes), stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', HttpExecutor.MaxLoggedBodyBytes + 1), stdout, StringComparison.Ordinal);
        Assert.Contains("the rest is not logged", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_NoResponseWithinTimeout_TimedOutAndRequestAborted()
    {
        await using var target = await TargetServer.StartAsync();
        await using var harness = await AgentHarness.StartAsync();
        var assignment = Http(harness, new HttpWork { Url = target.Url("/hang"), TimeoutMs = 300 });

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.TimedOut, finished.Outcome);
        Assert.Contains("request timeout", finished.Message, StringComparison.Ordinal);
        await Eventually.True(() => target.Aborted == 1, "the server to see the request aborted");
    }

    [Fact]
    public async Task Http_CancelledByServer_RequestAbortedAndReportsCancelled()
    {
        await using var target = await TargetServer.StartAsync();
        await using var harness = await AgentHarness.StartAsync();
        var assignment = Http(harness, new HttpWork { Url = target.Url("/hang"), TimeoutMs = 60_000 });
        harness.Server.Enqueue(assignment);
        await Eventually.True(() => target.Hanging == 1, "the request to reach the server");

        harness.Server.Cancel(assignment.Id);
        var finished = await harness.Server.WaitForFinishedAsync(assignment.Id);

        Assert.Equal(AgentOutcome.Cancelled, finished.Outcome);
        await Eventually.True(() => target.Aborted == 1, "the server to see the request aborted");
        Assert.Contains("Cancelled by the server", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ConnectionRefused_FailedWithReason()
    {
        int port;
        await using (var closed = await TargetServer.StartAsync())
        {
            port = closed.Port;
        }
        await using var harness = await AgentHarness.StartAsync();
        var assignment = Http(harness, new HttpWork { Url = $"http://127.0.0.1:{port}/ok" });

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Failed, finished.Outcome);
        Assert.Contains("The request failed", finished.Message, StringComparison.Ordinal);
        Assert.Null(finished.Outputs);
    }

    [Fact]
    public async Task Http_ConnectionResetMidBody_FailedWithReasonNotError()
    {
        await using var target = await TargetServer.StartAsync();
        await using var harness = await AgentHarness.StartAsync();
        var assignment = Http(harness, new HttpWork { Url = target.Url("/reset") });
        target.ResetWhen = () => harness.Server.Log(assignment.Id, "stdout").Contains("< HTTP/", StringComparison.Ordinal);

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Failed, finished.Outcome);
        Assert.Contains("The response broke off", finished.Message, StringComparison.Ordinal);
        Assert.Equal("200", finished.Outputs?["status"]);
        Assert.Contains("The response broke off", finished.Message, StringComparison.Ordinal);
        Assert.Contains("The response broke off", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_TokenHeadersAndUrlUserInfo_MaskedInLog()
    {
        await using var target = await TargetServer.StartAsync();
        await using var harness = await AgentHarness.StartAsync();
        var headers = new Dictionary<string, string>
        {
            ["X-Api-Key"] = "apikey-1",
            ["PRIVATE-TOKEN"] = "gitlab-2",
            ["X-Vault-Token"] = "vault-3",
            ["Ocp-Apim-Subscription-Key"] = "azure-4",
            ["X-Auth-User"] = "swift-5",
            ["Proxy-Authorization"] = "Basic proxy-6",
            ["X-Deploy"] = "v1",
        };
        var assignment = Http(harness, new HttpWork { Url = $"http://alice:pw-7@127.0.0.1:{target.Port}/ok", Headers = headers });

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        var received = Assert.Single(target.Requests);
        Assert.Equal(("gitlab-2", "apikey-1"), (received.Header("PRIVATE-TOKEN"), received.Header("X-Api-Key")));
        var stdout = harness.Server.Log(assignment.Id, "stdout");
        foreach (var name in headers.Keys.Where(n => n != "X-Deploy"))
        {
            Assert.Contains($"> {name}: ***\n", stdout, StringComparison.Ordinal);
        }
        Assert.Contains("> X-Deploy: v1\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"> GET http://***@127.0.0.1:{target.Port}/ok\n", stdout, StringComparison.Ordinal);
        foreach (var secret in new[] { "apikey-1", "gitlab-2", "vault-3", "azure-4", "swift-5", "proxy-6", "pw-7", "alice" })
        {
            Assert.DoesNotContain(secret, stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("X-Api-Key", true)]
    [InlineData("x-gitlab-token", true)]
    [InlineData("X-Auth-Token", true)]
    [InlineData("Proxy-Authorization", true)]
    [InlineData("Cookie", true)]
    [InlineData("X-Request-Id", false)]
    [InlineData("Keep-Alive", false)]
    [InlineData("Token", false)]
    public void Http_IsSensitive_ByHeaderName(string name, bool sensitive) => Assert.Equal(sensitive, HttpExecutor.IsSensitive(name));

    [Fact]
    public async Task Http_BadUrl_ErrorWithoutRequest()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = Http(harness, new HttpWork { Url = "ftp://example/x" });

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.Error, finished.Outcome);
        Assert.Contains("not an absolute http or https URL", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
    }

    /// <summary>The host an http step calls: a Kestrel app on a free loopback port that records what it receives.</summary>
    private sealed class TargetServer : IAsyncDisposable
    {
        private readonly WebApplication app;
        private int hanging;
        private int aborted;

        private TargetServer(WebApplication app) => this.app = app;

        public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

        /// <summary>/reset drops the connection once this holds.</summary>
        public Func<bool> ResetWhen { get; set; } = () => true;

        public int Port => new Uri(app.Urls.First()).Port;

        public int Hanging => Volatile.Read(ref hanging);

        public int Aborted => Volatile.Read(ref aborted);

        public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

        public static async Task<TargetServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var server = new TargetServer(app);
            app.Use(async (context, next) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                server.Requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path,
                    context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
                context.Response.Headers["X-Served-By"] = "test";
                await next(context);
            });
            app.MapGet("/ok", () => "fine");
            app.MapPost("/echo", (HttpContext context) => Results.Text(server.Requests.Last().Body, "application/json", statusCode: 201));
            app.MapGet("/status/{code:int}", (int code) => Results.Text($"status {code} body", statusCode: code));
            app.MapGet("/redirect", () => Results.Redirect("/ok"));
            app.MapGet("/reset", async (HttpContext context) =>
            {
                // A body announced longer than what comes before the connection drops.
                context.Response.ContentLength = 100_000;
                await context.Response.WriteAsync("partial body", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                // Drop the connection only once the agent has read the head: a reset arriving first would discard it unread.
                await Eventually.True(server.ResetWhen, "the agent read the response head");
                context.Abort();
            });
            app.MapGet("/big", () => Results.Text(new string('x', HttpExecutor.MaxLoggedBodyBytes + 10_000)));
            app.MapGet("/hang", async (HttpContext context) =>
            {
                Interlocked.Increment(ref server.hanging);
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref server.aborted);
                }
            });
            await app.StartAsync();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.GetValueOrDefault(name);
    }
}
