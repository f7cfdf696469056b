using Orchestrator.Runtime.Durable;

namespace Orchestrator.Api.Common;

/// <summary>
/// A grain call carrying a dedupe key (<see cref="DurableRequestContext.DedupeKey"/>): the durable grain applies a call
/// with a key it has seen once and answers a repeat without running it — how an agent's resent event stays harmless.
/// </summary>
public static class Deduped
{
    public static async Task CallAsync(string dedupeKey, Func<Task> call)
    {
        ArgumentException.ThrowIfNullOrEmpty(dedupeKey);
        ArgumentNullException.ThrowIfNull(call);
        // RequestContext flows with this async method only: the key never reaches the caller's later calls.
        RequestContext.Set(DurableRequestContext.DedupeKey, dedupeKey);
        try
        {
            await call().ConfigureAwait(false);
        }
        finally
        {
            RequestContext.Remove(DurableRequestContext.DedupeKey);
        }
    }
}
