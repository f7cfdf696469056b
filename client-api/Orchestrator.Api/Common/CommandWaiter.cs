using Orchestrator.Api.Hosting;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Common;

/// <summary>
/// Sends a REST call's command to its grain and reads the outcome. A grain answers a command only after it persisted it
/// (<c>DurableGrain</c>, G3), so the outcome it recorded under the request id can be read at once. A command not
/// answered within <see cref="ApiOptions.CommandWait"/> (or timed out by Orleans) gives null — answered 202 with the
/// resource's URL: it may or may not be applied, and a retry with the same <c>Idempotency-Key</c> is safe.
/// </summary>
public sealed class CommandWaiter(ApiOptions options)
{
    /// <summary>Awaits <paramref name="command"/> (already sent), then reads its outcome; null if it did not answer in time.</summary>
    public async Task<RequestResult?> SendAsync(Task command, Func<ValueTask<RequestResult?>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            await command.WaitAsync(options.CommandWait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        return await read().ConfigureAwait(false);
    }

    /// <summary>
    /// Polls <paramref name="read"/> until it answers or <see cref="ApiOptions.CommandWait"/> passes (then null): for a
    /// command that reaches its grain through another grain's outbox, after the call that sent it returned.
    /// </summary>
    public async Task<RequestResult?> WaitAsync(Func<ValueTask<RequestResult?>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            if (await read().ConfigureAwait(false) is { } result)
            {
                return result;
            }
            if (started.Elapsed >= options.CommandWait)
            {
                return null;
            }
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
        }
    }

    /// <summary>A request id for a command no client key names (the server's own commands).</summary>
    public static string NewRequestId() => Guid.NewGuid().ToString("N");

    /// <summary>The request id of this request's command (<see cref="IdempotencyKey.RequestId"/>).</summary>
    public static string RequestId(HttpContext http) => IdempotencyKey.RequestId(http);
}
