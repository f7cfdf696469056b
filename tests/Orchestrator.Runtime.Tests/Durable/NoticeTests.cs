using Orchestrator.Runtime.Tests.Durable.Grains;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Tests.Durable;

/// <summary>
/// Notices (<c>NotifyAfterWrite</c>): a call made once the turn's write is stored, outside the outbox — retried in memory
/// on failure, never made for a turn that rolled back, and holding a grain that is done until it went out; and
/// <c>[OutsideTurn]</c> methods, which run without the turn lock.
/// </summary>
public sealed class NoticeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static Task<DurableTestCluster> StartAsync() =>
        DurableTestCluster.StartAsync(new DurableClusterOptions { Durable = o => o.RetryBackoffBase = TimeSpan.FromMilliseconds(20) });

    [Fact]
    public async Task Notice_TurnStored_SentOnceAfterTheWrite()
    {
        await using var cluster = await StartAsync();
        var ledger = cluster.Grain<ILedgerGrain>("told");

        await ledger.AddAndNotify(5, "told-inbox", 1, thenThrow: false);

        await Eventually.Until(() => Task.FromResult(cluster.Probe.Count("heard:told:1")), n => n == 1, Deadline, "the notice");
        Assert.Equal(5, (await ledger.Get()).Total);
        Assert.Empty(cluster.Storage.Envelope(ledger.GetGrainId())!.Outbox); // nothing of it in the stored outbox
        Assert.Empty(cluster.Storage.Rows("outbox"));
    }

    [Fact]
    public async Task Notice_TurnThrows_NeverSent()
    {
        await using var cluster = await StartAsync();
        var ledger = cluster.Grain<ILedgerGrain>("rolled");

        await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.AddAndNotify(5, "rolled-inbox", 1, thenThrow: true));
        await ledger.AddAndNotify(2, "rolled-inbox", 2, thenThrow: false);

        await Eventually.Until(() => Task.FromResult(cluster.Probe.Count("heard:rolled:2")), n => n == 1, Deadline, "the second notice");
        Assert.Equal(0, cluster.Probe.Count("heard:rolled:1")); // the rolled-back turn made none
        Assert.Equal(2, (await ledger.Get()).Total);
    }

    [Fact]
    public async Task Notice_ReceiverFailsTwice_RetriedUntilItGoesThrough()
    {
        await using var cluster = await StartAsync();
        cluster.Probe.FailNext("heard", 2);
        var ledger = cluster.Grain<ILedgerGrain>("retried");

        await ledger.AddAndNotify(1, "retried-inbox", 3, thenThrow: false);

        await Eventually.Until(() => Task.FromResult(cluster.Probe.Count("heard:retried:3")), n => n == 1, Deadline, "the notice after two failures");
    }

    [Fact]
    public async Task Notice_GrainDone_LeavesOnlyAfterTheNoticeWentOut()
    {
        await using var cluster = await StartAsync();
        cluster.Probe.FailNext("heard", 3);
        var ledger = cluster.Grain<ILedgerGrain>("finished");

        await ledger.AddNotifyAndFinish(1, "finished-inbox", 4);

        await Eventually.Until(() => Task.FromResult(cluster.Probe.Count("heard:finished:4")), n => n == 1, Deadline, "the notice after three failures");
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        await Eventually.Until(async () => await management.GetActivationAddress(ledger), address => address is null, Deadline, "the done grain to leave");
    }

    [Fact]
    public async Task OutsideTurn_WhileATurnWaitsInTheSameGrain_RunsAtOnce()
    {
        await using var cluster = await StartAsync();
        cluster.Probe.Close("inbox");
        var inbox = cluster.Grain<IInboxGrain>("busy-inbox");
        var gated = inbox.Gated("someone", 1); // a turn holding the inbox's lock until the gate opens
        await Eventually.Until(() => Task.FromResult(cluster.Probe.Count("gated-entered")), n => n == 1, Deadline, "the gated turn to start");

        await inbox.Heard("someone", 2).WaitAsync(Deadline); // would wait for the gate if it were a turn

        Assert.Equal(1, cluster.Probe.Count("heard:someone:2"));
        Assert.False(gated.IsCompleted);
        cluster.Probe.Open("inbox");
        await gated;
    }
}
