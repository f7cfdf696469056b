using Orchestrator.Runtime.Tests.Durable.Grains;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans;

namespace Orchestrator.Runtime.Tests.Durable;

/// <summary>The outbox: delivered after the write, in order per target, once, without blocking the sender.</summary>
public sealed class OutboxTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private DurableTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await DurableTestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private Task<List<string>> ReceivedAsync(string inbox) => Eventually.Until(
        async () => (await _cluster.Grain<IInboxGrain>(inbox).Get()).Received, _ => true, Deadline, "inbox");

    private Task<List<string>> UntilReceivedAsync(string inbox, int count) => Eventually.Until(
        async () => (await _cluster.Grain<IInboxGrain>(inbox).Get()).Received, r => r.Count >= count, Deadline, $"{count} messages in {inbox}");

    [Fact]
    public async Task Send_ManyToOneTarget_DeliveredOnceInOrderAndOutboxEmptied()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("fifo");
        await ledger.AddAndSend(1, "fifo-inbox", 0, 30);
        await ledger.AddAndSend(1, "fifo-inbox", 30, 30);

        var received = await UntilReceivedAsync("fifo-inbox", 60);

        Assert.Equal(Enumerable.Range(0, 60).Select(v => $"fifo:{v}"), received);
        await Eventually.Until(() => Task.FromResult(_cluster.Storage.Envelope(ledger.GetGrainId())!.Outbox.Count), n => n == 0, Deadline, "the acknowledged outbox to be written empty");
        Assert.Empty(_cluster.Storage.Rows("outbox"));
    }

    [Fact]
    public async Task Send_AcknowledgementNeverWritten_ResentOnReactivationAndAppliedOnce()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("resender");
        var id = ledger.GetGrainId();
        // Write 1 persists the turn and its 20 messages. Write 2 (the first acknowledgements) waits until all 20 were
        // delivered, then fails: the activation breaks with all 20 still in its stored outbox, and the next activation
        // sends every one of them again.
        _cluster.Storage.BeforeWrite = async (grain, n) =>
        {
            if (grain == id && n == 2)
            {
                await Eventually.Until(() => Task.FromResult(_cluster.Probe.Count("delivered:Receive")), d => d == 20, Deadline, "20 first deliveries");
                throw new TimeoutException("the database went away");
            }
        };
        await ledger.AddAndSend(1, "once-inbox", 0, 20);
        await UntilReceivedAsync("once-inbox", 20);

        var view = await Eventually.Until(async () =>
        {
            try
            {
                return await ledger.Get(); // reactivates the sender, which re-sends its stored outbox
            }
            catch (Orchestrator.Runtime.Durable.DurableWriteException)
            {
                return null;
            }
        }, v => v is not null, Deadline, "the sender to reactivate");
        await Eventually.Until(() => Task.FromResult(_cluster.Probe.Count("delivered:Receive")), n => n == 40, Deadline, "every message delivered twice");
        await Eventually.Until(() => Task.FromResult(_cluster.Storage.Envelope(id)!.Outbox.Count), n => n == 0, Deadline, "the re-sent outbox to be acknowledged");

        var received = await ReceivedAsync("once-inbox");
        Assert.Equal(Enumerable.Range(0, 20).Select(v => $"resender:{v}"), received);
        Assert.Equal(1, view!.Total);
    }

    [Fact]
    public async Task Send_SameDomainKeyTwice_AppliedOnceUnlessDomainIdempotent()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("keyed");
        await ledger.SendTo("keyed-inbox", nameof(IInboxGrain.Receive), 1, "step-7/attempt-1");
        await ledger.SendTo("keyed-inbox", nameof(IInboxGrain.Receive), 2, "step-7/attempt-1");
        await ledger.SendTo("keyed-inbox", nameof(IInboxGrain.Counted), 3, "fan-in");
        await ledger.SendTo("keyed-inbox", nameof(IInboxGrain.Counted), 4, "fan-in");
        await ledger.SendTo("keyed-inbox", nameof(IInboxGrain.Receive), 5, null);

        var received = await UntilReceivedAsync("keyed-inbox", 4);
        await Eventually.Until(() => Task.FromResult(_cluster.Probe.Count("delivered:Receive")), n => n == 3, Deadline, "the three Receive deliveries");

        Assert.Equal(["keyed:1", "keyed:3", "keyed:4", "keyed:5"], await ReceivedAsync("keyed-inbox"));
        Assert.Equal(4, received.Count);
    }

    [Fact]
    public async Task Send_ReceiverSlow_SenderKeepsAnsweringCommands()
    {
        _cluster.Probe.Close("inbox");
        var ledger = _cluster.Grain<ILedgerGrain>("not-blocked");
        await ledger.SendTo("slow-inbox", nameof(IInboxGrain.Gated), 1, null);
        await Eventually.Until(() => Task.FromResult(_cluster.Probe.Count("gated-entered")), n => n == 1, Deadline, "the delivery to be in the slow receiver");

        for (var i = 0; i < 3; i++)
        {
            await ledger.Add(1).WaitAsync(TimeSpan.FromSeconds(5));
        }
        Assert.Equal(3, (await ledger.Get().WaitAsync(TimeSpan.FromSeconds(5))).Total);

        _cluster.Probe.Open("inbox");
        Assert.Equal(["not-blocked:1"], await UntilReceivedAsync("slow-inbox", 1));
    }

    [Fact]
    public async Task Send_MessageCycleWithDirectCallsBack_DoesNotDeadlock()
    {
        // Ledger "cycle-b" pings inbox cycle-a, which pings inbox cycle-b back, and so on: 21 hops, each receiver first
        // calling its sender directly while the sender's delivery to it is still in flight.
        await _cluster.Grain<ILedgerGrain>("cycle-b").SendTo("cycle-a", nameof(IInboxGrain.Ping), 20, null);

        var inA = await UntilReceivedAsync("cycle-a", 11);
        var inB = await UntilReceivedAsync("cycle-b", 10);

        Assert.Equal(Enumerable.Range(0, 11).Select(i => $"cycle-b:{20 - (2 * i)}"), inA);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"cycle-a:{19 - (2 * i)}"), inB);
    }
}
