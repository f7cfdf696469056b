using Orchestrator.Api.Hosting;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Common;

/// <summary>
/// Commands to grains are one-way and durable; a REST call that must say how its command went waits for the grain
/// to record the outcome under the request id, polling its committed state briefly.
/// </summary>
public sealed class CommandWaiter(ApiOptions options)
{
    public async Task<RequestResult?> WaitAsync(Func<ValueTask<RequestResult?>> read, CancellationToken cancellationToken)
    {
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

    public static string NewRequestId() => Guid.NewGuid().ToString("N");
}
