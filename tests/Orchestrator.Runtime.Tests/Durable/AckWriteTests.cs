using Orchestrator.Runtime.Tests.Durable.Grains;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans;

namespace Orchestrator.Runtime.Tests.Durable;

/// <summary>
/// An acknowledged message leaves the stored outbox with the grain's next write, or after AckWriteDelay by a write of
/// its own, or when the grain deactivates: never a write per acknowledgement at once.
/// </summary>
public sealed class AckWriteTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static Task<DurableTestCluster> StartAsync(TimeSpan delay) =>
        DurableTestCluster.StartAsync(new DurableClusterOptions { Durable = o => o.AckWriteDelay = delay });

    private static Task WaitReceivedAsync(DurableTestCluster cluster, string inbox, int count) => Eventually.Until(
        async () => (await cluster.Grain<IInboxGrain>(inbox).Get()).Received.Count, n => n >= count, Deadline, $"{count} messages in {inbox}");

    [Fact]
    public async Task Ack_WithinTheDelay_StaysStoredUntilTheNextWriteCarriesIt()
    {
        await using var cluster = await StartAsync(TimeSpan.FromMinutes(1));
        var ledger = cluster.Grain<ILedgerGrain>("carried");
        await ledger.AddAndSend(1, "carried-inbox", 0, 3);
        await WaitReceivedAsync(cluster, "carried-inbox", 3);
        await Eventually.Until(() => ledger.Unacknowledged(), n => n == 0, Deadline, "3 acknowledged deliveries");

        // Acknowledged, but no write of its own yet: the stored outbox still lists them (a restart would re-send them).
        Assert.Equal(3, cluster.Storage.Envelope(ledger.GetGrainId())!.Outbox.Count);
        Assert.Single(cluster.Storage.Rows("outbox"));

        await ledger.Add(2); // the next write carries the removal

        Assert.Empty(cluster.Storage.Envelope(ledger.GetGrainId())!.Outbox);
        Assert.Empty(cluster.Storage.Rows("outbox"));
        Assert.Equal(3, (await ledger.Get()).Total);
    }

    [Fact]
    public async Task Ack_DelayPassesWithoutAnotherWrite_AWriteOfItsOwnRemovesIt()
    {
        await using var cluster = await StartAsync(TimeSpan.FromMilliseconds(300));
        var ledger = cluster.Grain<ILedgerGrain>("delayed");
        await ledger.AddAndSend(1, "delayed-inbox", 0, 5);
        await WaitReceivedAsync(cluster, "delayed-inbox", 5);

        await Eventually.Until(() => Task.FromResult(cluster.Storage.Envelope(ledger.GetGrainId())!.Outbox.Count), n => n == 0, Deadline,
            "the acknowledged outbox written empty without another command");
        Assert.Empty(cluster.Storage.Rows("outbox"));
        Assert.Equal(5, cluster.Probe.Count("delivered:Receive")); // nothing was sent twice
    }

    [Fact]
    public async Task Ack_GrainDoneAndDelivered_LeavesAndWritesTheAcksOnItsWayOut()
    {
        await using var cluster = await StartAsync(TimeSpan.FromMinutes(1));
        var ledger = cluster.Grain<ILedgerGrain>("done");
        await ledger.AddSendAndFinish(1, "done-inbox", 0, 4);
        await WaitReceivedAsync(cluster, "done-inbox", 4);

        // Far sooner than the delay: the grain went once the inbox acknowledged all four, writing them as it left.
        await Eventually.Until(() => Task.FromResult(cluster.Storage.Envelope(ledger.GetGrainId())!.Outbox.Count), n => n == 0, Deadline,
            "the acknowledgements written as the grain left");
        Assert.Empty(cluster.Storage.Rows("outbox"));
        Assert.Equal(1, (await ledger.Get()).Total); // a new activation, from storage: nothing to send again
        Assert.Equal(0, await ledger.Unacknowledged());
        Assert.Equal(4, cluster.Probe.Count("delivered:Receive"));
    }

    [Fact]
    public async Task Ack_GrainCollectedForAnotherReason_LeftStoredThenResentBySweepAndAppliedOnce()
    {
        await using var cluster = await StartAsync(TimeSpan.FromMinutes(1));
        var ledger = cluster.Grain<ILedgerGrain>("collected");
        await ledger.AddAndSend(1, "collected-inbox", 0, 4);
        await WaitReceivedAsync(cluster, "collected-inbox", 4);
        await Eventually.Until(() => ledger.Unacknowledged(), n => n == 0, Deadline, "4 acknowledged deliveries");

        await ledger.Deactivate(); // not a grain that is done: it writes nothing on its way out
        await Eventually.Until(() => Task.FromResult(cluster.Probe.Count("delivered:Receive")), n => n == 8, Deadline,
            "the next activation sending the stored four again");

        Assert.Equal(Enumerable.Range(0, 4).Select(v => $"collected:{v}"), (await cluster.Grain<IInboxGrain>("collected-inbox").Get()).Received);
        await Eventually.Until(() => ledger.Unacknowledged(), n => n == 0, Deadline, "the re-sent four acknowledged");
    }
}
