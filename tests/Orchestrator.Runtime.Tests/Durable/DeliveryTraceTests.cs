using System.Collections.Concurrent;
using System.Diagnostics;
using Orchestrator.Runtime.Tests.Durable.Grains;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans.Hosting;

namespace Orchestrator.Runtime.Tests.Durable;

/// <summary>
/// A grain's outbox and notice deliveries run after the turn that made them, in workers that may go on to deliver what
/// later turns (other requests, other runs) add. Orleans starts a span for each grain call under the ambient
/// <see cref="Activity"/>; a delivery must not make its call under the span of whichever turn started the worker, or
/// a later run's call shows up in an earlier run's trace. A real silo with Orleans' activity propagation, and a
/// listener in this test for Orleans' call spans.
/// </summary>
public sealed class DeliveryTraceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Deliveries_AfterATracedTurn_AreNotCalledInsideThatTurnsTrace()
    {
        var inbox = "traced-inbox-" + Guid.NewGuid().ToString("N");
        var calls = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.Orleans.Application" or TracedSenderGrain.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Kind == ActivityKind.Client && activity.TagObjects.Any(t => t.Value?.ToString()?.Contains(inbox, StringComparison.Ordinal) == true))
                {
                    calls.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var cluster = await DurableTestCluster.StartAsync(new DurableClusterOptions { Silo = silo => silo.AddActivityPropagation() });

        var traceId = await cluster.Grain<ITracedSenderGrain>("traced-sender").SendInsideSpan(inbox, 7);

        var inboxGrain = cluster.Grain<IInboxGrain>(inbox);
        await Eventually.Until(async () => (await inboxGrain.Get()).Received.Count + cluster.Probe.Count($"heard:traced-sender:7"), n => n == 2, Deadline,
            "the message and the notice delivered");
        // Orleans made a client span for each delivery (the listener sees its calls), and none is in the turn's trace.
        var delivered = await Eventually.Until(() => Task.FromResult(calls.Where(a => a.DisplayName.Contains("Receive", StringComparison.Ordinal) || a.DisplayName.Contains("Heard", StringComparison.Ordinal)).ToList()),
            list => list.Count >= 2, Deadline, $"Orleans' spans of both deliveries (seen: {string.Join(", ", calls.Select(a => a.DisplayName))})");
        Assert.All(delivered, call => Assert.NotEqual(traceId, call.TraceId.ToString()));
    }
}
