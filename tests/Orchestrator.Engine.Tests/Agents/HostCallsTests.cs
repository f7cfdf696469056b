using Orchestrator.Api.Agents;

namespace Orchestrator.Engine.Tests.Agents;

/// <summary>
/// The gateway's per-host grain calls of one request (a fleet's registration or heartbeat): bounded in flight, and none
/// started once the request is aborted, so an agent's retry replaces the work instead of piling onto it.
/// </summary>
public sealed class HostCallsTests
{
    [Fact]
    public async Task ForEachAsync_ManyHosts_CallsEachOnceAndNeverMoreThanTheLimitAtOnce()
    {
        var hosts = Enumerable.Range(0, 2_000).Select(i => $"h{i}").ToList();
        var called = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var inFlight = 0;
        var most = 0;

        await HostCalls.ForEachAsync(hosts, async host =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            called.AddOrUpdate(host, 1, (_, n) => n + 1);
            await Task.Yield();
            Interlocked.Decrement(ref inFlight);
        }, CancellationToken.None, inFlight: 16);

        Assert.Equal(hosts.Count, called.Count);
        Assert.All(called.Values, n => Assert.Equal(1, n));
        Assert.InRange(most, 1, 16);
    }

    [Fact]
    public async Task ForEachAsync_RequestAborted_StartsNoCallAfterAndThrows()
    {
        using var aborted = new CancellationTokenSource();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var hosts = Enumerable.Range(0, 1_000).Select(i => $"h{i}");

        var calls = HostCalls.ForEachAsync(hosts, async _ =>
        {
            if (Interlocked.Increment(ref started) == 4)
            {
                aborted.Cancel(); // the agent gave up while the first four calls were in flight
                release.SetResult();
            }
            await release.Task;
        }, aborted.Token, inFlight: 4);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => calls);
        Assert.Equal(4, Volatile.Read(ref started));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
