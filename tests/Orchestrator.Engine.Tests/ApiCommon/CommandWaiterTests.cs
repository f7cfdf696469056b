using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Api.Common;
using Orchestrator.Api.Hosting;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Engine.Tests.ApiCommon;

/// <summary>
/// A command's answer: the grain answers once it persisted the command, then its outcome is read once; no answer in
/// time (ours or Orleans' timeout) is 202 with the resource's URL, never a 500.
/// </summary>
public sealed class CommandWaiterTests
{
    private static readonly CommandWaiter Waiter = new(new ApiOptions { CommandWait = TimeSpan.FromMilliseconds(100) });

    [Fact]
    public async Task SendAsync_Answered_ReadsTheOutcomeOnce()
    {
        var reads = 0;

        var result = await Waiter.SendAsync(Task.CompletedTask, () =>
        {
            reads++;
            return ValueTask.FromResult<RequestResult?>(RequestResult.Done("r1", "7"));
        }, CancellationToken.None);

        Assert.Equal(("r1", 200, "7"), (result!.RequestId, result.Code, result.Value));
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task SendAsync_NotAnsweredWithinTheWait_IsNullAndReadsNothing()
    {
        var never = new TaskCompletionSource();
        var reads = 0;

        var result = await Waiter.SendAsync(never.Task, () =>
        {
            reads++;
            return ValueTask.FromResult<RequestResult?>(null);
        }, CancellationToken.None);

        Assert.Null(result);
        Assert.Equal(0, reads);
    }

    [Fact]
    public async Task SendAsync_OrleansTimesTheCallOut_IsNull()
    {
        var result = await Waiter.SendAsync(Task.FromException(new TimeoutException("Response did not arrive on time")),
            () => ValueTask.FromResult<RequestResult?>(RequestResult.Done("r")), CancellationToken.None);

        Assert.Null(result);
    }

    [Fact]
    public async Task SendAsync_TheGrainThrows_PassesTheExceptionOn()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => Waiter.SendAsync(Task.FromException(new InvalidOperationException("turn failed")),
            () => ValueTask.FromResult<RequestResult?>(null), CancellationToken.None));
    }

    [Fact]
    public async Task FromResult_NoOutcome_Is202WithTheResourceInLocationAndBody()
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider() };
        http.Response.Body = new MemoryStream();

        await Problems.FromResult(null, "/api/v1/task-instances/abc", _ => TypedResults.Ok()).ExecuteAsync(http);

        Assert.Equal(StatusCodes.Status202Accepted, http.Response.StatusCode);
        Assert.Equal("/api/v1/task-instances/abc", http.Response.Headers.Location.ToString());
        http.Response.Body.Position = 0;
        var body = await new StreamReader(http.Response.Body).ReadToEndAsync();
        Assert.Contains("\"location\":\"/api/v1/task-instances/abc\"", body, StringComparison.Ordinal);
        Assert.Contains("Idempotency-Key", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0b5d0ad4-6f0e-4c1b-9d1e-3a4b5c6d7e8f", true)]
    [InlineData("01HZY3J5K6M7N8P9Q0R1S2T3V4", true)]
    [InlineData("a+b/c=d:e.f~g_h", true)]
    [InlineData("with space", false)]
    [InlineData("ünï", false)]
    public void Problem_Key_AcceptsUrlSafeTokensOnly(string key, bool ok)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers[IdempotencyKey.Header] = key;

        Assert.Equal(ok, IdempotencyKey.Problem(http.Request) is null);
    }

    [Fact]
    public void RequestId_SameKey_IsScopedByCallerMethodAndPath()
    {
        static string Id(string user, string method, string path, string? key)
        {
            var http = new DefaultHttpContext();
            http.Request.Method = method;
            http.Request.Path = path;
            http.User = new System.Security.Claims.ClaimsPrincipal(
                Orchestrator.Api.Identity.CallerClaims.Identity("test", user, Orchestrator.Api.Identity.AccessGrants.None, "test"));
            if (key is not null)
            {
                http.Request.Headers[IdempotencyKey.Header] = key;
            }
            return IdempotencyKey.RequestId(http);
        }

        var first = Id("alice", "POST", "/api/v1/plans/p/run", "k1");

        Assert.Equal(first, Id("alice", "POST", "/api/v1/plans/p/run", "k1"));
        Assert.NotEqual(first, Id("bob", "POST", "/api/v1/plans/p/run", "k1"));
        Assert.NotEqual(first, Id("alice", "PUT", "/api/v1/plans/p/run", "k1"));
        Assert.NotEqual(first, Id("alice", "POST", "/api/v1/plans/q/run", "k1"));
        Assert.NotEqual(first, Id("alice", "POST", "/api/v1/plans/p/run", "k2"));
        Assert.DoesNotContain("k1", first, StringComparison.Ordinal);
        Assert.NotEqual(Id("alice", "POST", "/api/v1/plans/p/run", null), Id("alice", "POST", "/api/v1/plans/p/run", null));
    }
}
