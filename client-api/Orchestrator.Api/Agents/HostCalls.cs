namespace Orchestrator.Api.Agents;

/// <summary>
/// One grain call per host of an agent's request (a registration or heartbeat names every host of a simulated fleet:
/// 100,000 in one body), made at most <see cref="InFlight"/> at a time and no longer once the request is aborted.
/// All at once, a fleet's calls queue in the silo past Orleans' response timeout on a slow machine; the agent's request
/// then times out and it sends the whole fleet again, on top of the calls still queued, and each retry adds to the pile.
/// Bounded, the queue stays short; aborted, the agent's retry replaces the work instead of adding to it.
/// </summary>
public static class HostCalls
{
    /// <summary>Calls in flight at once for one request: enough to fill the grain storage's group commits.</summary>
    public const int InFlight = 1000;

    /// <summary>Calls <paramref name="call"/> for each host, at most <paramref name="inFlight"/> at once; throws <see cref="OperationCanceledException"/> once cancelled, with no call started after.</summary>
    public static Task ForEachAsync<T>(IEnumerable<T> hosts, Func<T, Task> call, CancellationToken cancellationToken, int inFlight = InFlight)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Parallel.ForEachAsync(hosts, new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = cancellationToken },
            (host, _) => new ValueTask(call(host)));
    }
}
