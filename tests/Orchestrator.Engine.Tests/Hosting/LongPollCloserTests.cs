using Microsoft.AspNetCore.Http;
using Orchestrator.Silo.Shutdown;

namespace Orchestrator.Engine.Tests.Hosting;

public sealed class LongPollCloserTests
{
    [Fact]
    public async Task InvokeAsync_PollCancelledBeforeItsWaitByClose_Answers503RetryAfterInsteadOfThrowing()
    {
        using var closer = new LongPollCloser();
        var context = Poll();
        var original = context.RequestAborted;
        var reached = new TaskCompletionSource();

        var call = closer.InvokeAsync(context, () => CancelledWith(context.RequestAborted, reached)); // e.g. the credential check's database read
        await reached.Task;
        closer.Close();
        await call; // threw OperationCanceledException before: the error middleware answered 500 and logged it as a failure

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(original, context.RequestAborted);
    }

    [Fact]
    public async Task InvokeAsync_AgentGoneNotClosing_LetsTheCancellationThrough()
    {
        using var closer = new LongPollCloser();
        using var aborted = new CancellationTokenSource();
        var context = Poll();
        context.RequestAborted = aborted.Token;
        var reached = new TaskCompletionSource();

        var call = closer.InvokeAsync(context, () => CancelledWith(context.RequestAborted, reached));
        await reached.Task;
        await aborted.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    private static DefaultHttpContext Poll() => new() { Request = { Method = "POST", Path = "/api/v1/agent/poll" } };

    /// <summary>A handler that waits on <paramref name="token"/> and throws when it fires, as a cancelled database read does.</summary>
    private static Task CancelledWith(CancellationToken token, TaskCompletionSource reached)
    {
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => waiting.TrySetException(new OperationCanceledException(token)));
        reached.SetResult();
        return waiting.Task;
    }
}
