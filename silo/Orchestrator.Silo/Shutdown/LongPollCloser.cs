namespace Orchestrator.Silo.Shutdown;

/// <summary>
/// Ends the agents' long polls when the web server is about to close. Kestrel's stop waits for every request in
/// flight, and a poll waits up to 20 s for work, so without this a remote agent's poll held the stop until the
/// host's timeout cancelled the silo's own hand-off. A poll ended this way while it waits answers with nothing (the
/// gateway's answer to a cancelled wait); one ended before its wait (the agent's credential check, a read of the
/// database) answers 503 with <c>Retry-After: 1</c> — it used to surface as the cancellation itself, a 500 "the
/// server failed" logged with its stack for every poll in flight. Either way the agent polls again, finds the server
/// gone (or, behind a Service, another one), and retries with back-off; nothing was handed out.
/// Only polls: other requests are short and are left to finish.
/// </summary>
public sealed class LongPollCloser : IDisposable
{
    private const string PollPath = "/api/v1/agent/poll";

    private readonly CancellationTokenSource _closing = new();

    public bool IsClosing => _closing.IsCancellationRequested;

    /// <summary>Ends the polls in flight, and every later one at once.</summary>
    public void Close() => _closing.Cancel();

    /// <summary>The middleware: a poll's <see cref="HttpContext.RequestAborted"/> also fires on <see cref="Close"/>.</summary>
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!context.Request.Path.StartsWithSegments(PollPath, StringComparison.OrdinalIgnoreCase))
        {
            await next();
            return;
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _closing.Token);
        var original = context.RequestAborted;
        context.RequestAborted = linked.Token;
        try
        {
            await next();
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested && !original.IsCancellationRequested && !context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable; // the API's error middleware writes the problem body
            context.Response.Headers.RetryAfter = "1";
        }
        finally
        {
            context.RequestAborted = original;
        }
    }

    public void Dispose() => _closing.Dispose();
}
