using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Tests.Durable.Grains;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Tests.Durable;

/// <summary>Wake-ups, back-off and parking on a manual orchestrator clock; the sweeper after a silo dies.</summary>
public sealed class TimeTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private DurableTestCluster? _cluster;

    private DurableTestCluster Cluster => _cluster!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private async Task StartAsync(int silos = 1) =>
        _cluster = await DurableTestCluster.StartAsync(new DurableClusterOptions { Silos = silos, Clock = _clock });

    [Fact]
    public async Task WakeUp_ArmedWhileActive_FiresOnceAtItsTimeWithoutAReminder()
    {
        await StartAsync();
        var ledger = Cluster.Grain<ILedgerGrain>("wake");
        await ledger.Arm("tick", _clock.GetUtcNow() + TimeSpan.FromSeconds(10));
        Assert.Single(Cluster.Storage.Rows(DurableIndexRows.WakeUpKind));

        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty((await ledger.Get()).Fired);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.Until(async () => (await ledger.Get()).Fired, f => f.Count == 1, Deadline, "the wake-up to fire");
        _clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(["tick"], (await ledger.Get()).Fired);
        Assert.Equal(1, Cluster.Probe.Count("fired:tick"));
        await Eventually.Until(() => Task.FromResult(Cluster.Storage.Rows(DurableIndexRows.WakeUpKind).Count), n => n == 0, Deadline, "the wakeup row to go");
        var reminders = Cluster.Cluster.GetSiloServiceProvider().GetRequiredService<IReminderTable>();
        Assert.Empty((await reminders.ReadRows(ledger.GetGrainId())).Reminders);
        var sweeper = Cluster.Client.GetGrain<IDurableSweeperGrain>(0).GetGrainId();
        Assert.Equal(["keep-alive"], (await reminders.ReadRows(sweeper)).Reminders.Select(r => r.ReminderName));
    }

    [Fact]
    public async Task SweptWakeUp_NoTimerFiresIt_TheSweeperDoesOnTheLiveActivation()
    {
        await StartAsync();
        var timed = Cluster.Grain<ILedgerGrain>("timed");
        var swept = Cluster.Grain<ILedgerGrain>("swept");
        await timed.Arm("tick", _clock.GetUtcNow() + TimeSpan.FromSeconds(10));
        await swept.ArmSwept("backstop", _clock.GetUtcNow() + TimeSpan.FromSeconds(10));
        Assert.Equal(2, Cluster.Storage.Rows(DurableIndexRows.WakeUpKind).Count); // the sweeper sees both

        // Both due: the timed one fires on its timer; the swept one waits, past due, for a sweep that finds it overdue.
        _clock.Advance(TimeSpan.FromSeconds(15));
        await Eventually.Until(async () => (await timed.Get()).Fired, f => f.Count == 1, Deadline, "the timed wake-up");
        Assert.Equal(0, await Cluster.Client.GetGrain<IDurableSweeperGrain>(0).SweepNow()); // within the sweep grace
        Assert.Empty((await swept.Get()).Fired);

        _clock.Advance(TimeSpan.FromSeconds(10));
        await Cluster.Client.GetGrain<IDurableSweeperGrain>(0).SweepNow();
        await Eventually.Until(async () => (await swept.Get()).Fired, f => f.Count == 1, Deadline, "the sweeper to fire the swept wake-up");
        await Eventually.Until(() => Task.FromResult(Cluster.Storage.Rows(DurableIndexRows.WakeUpKind).Count), n => n == 0, Deadline, "the wakeup rows to go");
        Assert.Equal(["backstop"], (await swept.Get()).Fired);
        Assert.Equal(1, Cluster.Probe.Count("fired:backstop"));
    }

    [Fact]
    public async Task WakeUp_Disarmed_NeverFires()
    {
        await StartAsync();
        var ledger = Cluster.Grain<ILedgerGrain>("disarmed");
        await ledger.Arm("a", _clock.GetUtcNow() + TimeSpan.FromSeconds(5));
        await ledger.Arm("b", _clock.GetUtcNow() + TimeSpan.FromSeconds(6));
        await ledger.Disarm("a");

        await _clock.AdvanceUntilAsync(async () => (await ledger.Get()).Fired, f => f.Count > 0, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), "b to fire");
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(["b"], (await ledger.Get()).Fired);
    }

    [Fact]
    public async Task WakeUp_KeepsThrowing_RetriedWithBackoffThenParkedAndNoticed()
    {
        await StartAsync();
        var ledger = Cluster.Grain<ILedgerGrain>("failing-wake");
        await ledger.FailWakeUps(true);
        await ledger.Arm("boom", _clock.GetUtcNow());

        var letters = await _clock.AdvanceUntilAsync(() => Task.FromResult(Cluster.DeadLetters.Letters), l => l.Count == 1, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10), "the wake-up to be parked");
        var view = await Eventually.Until(() => ledger.Get(), v => v.Notices.Count == 1, Deadline, "the notice");

        var letter = letters[0].Letter;
        Assert.Equal("boom", letter.WakeUp);
        Assert.Equal(5, letter.Attempts);
        Assert.Equal(5, Cluster.Probe.Count("fired:boom"));
        Assert.Equal(["boom:5"], view.Notices);
        Assert.Empty(view.Fired);
        Assert.Empty(view.Armed);
    }

    [Fact]
    public async Task Send_HeadFailsTwice_RetriedAfterBackoffLaterMessagesWaitAndOrderHolds()
    {
        await StartAsync();
        Cluster.Probe.FailNext("inbox", 2);
        var ledger = Cluster.Grain<ILedgerGrain>("fifo-retry");
        for (var value = 1; value <= 5; value++)
        {
            await ledger.SendTo("fifo-retry-inbox", nameof(IInboxGrain.Fail), value, null);
        }
        var inbox = Cluster.Grain<IInboxGrain>("fifo-retry-inbox");
        await Eventually.Until(() => Task.FromResult(Cluster.Probe.Count("delivered:Fail")), n => n == 1, Deadline, "the first attempt");
        Assert.Empty((await inbox.Get()).Received);

        var received = await _clock.AdvanceUntilAsync(async () => (await inbox.Get()).Received, r => r.Count == 5, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), "five messages");

        Assert.Equal(Enumerable.Range(1, 5).Select(v => $"fifo-retry:{v}"), received);
        Assert.Equal(7, Cluster.Probe.Count("delivered:Fail"));
    }

    [Fact]
    public async Task Send_ReceiverKeepsFailing_ParkedAfterMaxAttemptsAndReceiverNoticed()
    {
        await StartAsync();
        Cluster.Probe.FailNext("inbox", -1);
        var ledger = Cluster.Grain<ILedgerGrain>("parking");
        await ledger.SendTo("parked-inbox", nameof(IInboxGrain.Fail), 7, null);

        var letters = await _clock.AdvanceUntilAsync(() => Task.FromResult(Cluster.DeadLetters.Letters), l => l.Count == 1, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), "the message to be parked");
        var inbox = Cluster.Grain<IInboxGrain>("parked-inbox");
        var view = await Eventually.Until(() => inbox.Get(), v => v.Notices.Count == 1, Deadline, "the notice");

        var (id, letter) = letters[0];
        Assert.Equal(nameof(IInboxGrain.Fail), letter.Method);
        Assert.Equal(5, letter.Attempts);
        Assert.Equal(inbox.GetGrainId().ToString(), letter.Target);
        Assert.Equal(ledger.GetGrainId().ToString(), letter.Sender);
        Assert.Equal("""["parking",7]""", letter.ArgumentsJson);
        Assert.Contains("refuses 7 on purpose", letter.Error, StringComparison.Ordinal);
        Assert.Equal([$"Fail#{id}:5:parking:2"], view.Notices);
        Assert.Empty(view.Received);
        Assert.Equal(5, Cluster.Probe.Count("delivered:Fail"));
        await Eventually.Until(() => Task.FromResult(Cluster.Storage.Envelope(ledger.GetGrainId())!.Outbox.Count), n => n == 0, Deadline, "the parked message to leave the stored outbox");
    }

    [Fact]
    public async Task Sender_SiloKilledBeforeDelivery_SweeperRedeliversFromAnotherSiloOnce()
    {
        await StartAsync(silos: 2);
        Cluster.Probe.Close("inbox");
        var ledger = Cluster.Grain<ILedgerGrain>("orphan");
        var id = ledger.GetGrainId();
        await ledger.SendTo("orphan-inbox", nameof(IInboxGrain.Gated), 1, null);
        await Eventually.Until(() => Task.FromResult(Cluster.Probe.Count("gated-entered")), n => n == 1, Deadline, "the delivery to be under way");
        var silo = await ledger.Where();

        await Cluster.KillSiloAsync(silo);
        Cluster.Probe.Fail("inbox"); // the delivery under way never completes: its turn throws wherever it runs
        await Cluster.StartSiloAsync();

        var received = await _clock.AdvanceUntilAsync(() => Task.FromResult(Cluster.Storage.State<InboxState>(Cluster.Grain<IInboxGrain>("orphan-inbox").GetGrainId())?.Received ?? []),
            r => r.Count > 0, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), "the sweeper to have the message re-sent");

        Assert.Equal(["orphan:1"], received);
        Assert.True(Cluster.Probe.Count("woken:" + id) >= 1, "the sender was not woken by the sweeper");
        await Eventually.Until(() => Task.FromResult(Cluster.Storage.Envelope(id)!.Outbox.Count), n => n == 0, Deadline, "the re-sent message to be acknowledged");
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["orphan:1"], (await Cluster.Grain<IInboxGrain>("orphan-inbox").Get()).Received);
    }

    [Fact]
    public async Task WakeUp_SiloDied_SweeperFiresItOnAnotherSilo()
    {
        await StartAsync(silos: 2);
        var ledger = Cluster.Grain<ILedgerGrain>("orphan-wake");
        var id = ledger.GetGrainId();
        await ledger.Arm("later", _clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        var silo = await ledger.Where();

        await Cluster.KillSiloAsync(silo);
        await Cluster.StartSiloAsync();

        var fired = await _clock.AdvanceUntilAsync(() => Task.FromResult(Cluster.Storage.State<LedgerState>(id)!.Fired), f => f.Count > 0,
            TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), "the wake-up to fire after its silo died");

        Assert.Equal(["later"], fired);
        Assert.True(Cluster.Probe.Count("woken:" + id) >= 1, "the grain was not woken by the sweeper");
        Assert.Equal(1, Cluster.Probe.Count("fired:later"));
    }
}
