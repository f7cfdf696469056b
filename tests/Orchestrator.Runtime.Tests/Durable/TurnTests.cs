using Orchestrator.Runtime.Tests.Durable.Grains;
using Orchestrator.Runtime.Tests.Durable.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orleans;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Tests.Durable;

/// <summary>Turns of a durable grain: answered after their write, coalesced, rolled back when they throw.</summary>
public sealed class TurnTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private DurableTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await DurableTestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Command_WriteHeld_AnsweredOnlyAfterItsWrite()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("answered");
        var id = ledger.GetGrainId();
        await ledger.Add(1); // activated, first write done
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cluster.Storage.BeforeWrite = (grain, _) => grain == id ? hold.Task : Task.CompletedTask;

        var call = ledger.Add(41);
        await Eventually.Until(() => Task.FromResult(_cluster.Probe.Count("ledger-turns")), n => n == 2, Deadline, "the second turn to run");

        Assert.False(call.IsCompleted, "the caller was answered before its write");
        Assert.Equal(1, _cluster.Storage.State<LedgerState>(id)!.Total);
        hold.SetResult();
        await call.WaitAsync(Deadline);
        Assert.Equal(42, _cluster.Storage.State<LedgerState>(id)!.Total);
        Assert.Equal("42", Assert.Single(_cluster.Storage.Rows(LedgerGrain.IndexKind)).Data);
    }

    [Fact]
    public async Task Commands_HundredConcurrent_CoalesceIntoFewWritesAndEachAnsweredAfterItsWrite()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("coalesced");
        var id = ledger.GetGrainId();
        await ledger.Add(1000);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cluster.Storage.BeforeWrite = (grain, n) => grain == id && n == 2 ? hold.Task : Task.CompletedTask;
        var writesBefore = _cluster.Storage.WritesOf(id);

        // Each caller checks, the moment it is answered, that storage already holds its amount.
        var calls = Enumerable.Range(1, 100).Select(async amount =>
        {
            await ledger.Add(amount);
            return _cluster.Storage.State<LedgerState>(id)!.Amounts.Contains(amount);
        }).ToList();
        await Eventually.Until(() => Task.FromResult(_cluster.Probe.Count("ledger-turns")), n => n == 101, Deadline, "all 100 turns to run while the first write is held");
        Assert.All(calls, c => Assert.False(c.IsCompleted, "a caller was answered while its write was held"));

        hold.SetResult();
        var durableWhenAnswered = await Task.WhenAll(calls).WaitAsync(Deadline);

        Assert.All(durableWhenAnswered, Assert.True);
        var writes = _cluster.Storage.WritesOf(id) - writesBefore;
        Assert.InRange(writes, 2, 5);
        Assert.Equal(1000 + 5050, (await ledger.Get()).Total);
    }

    [Fact]
    public async Task Command_Throws_StateOutboxIndexAndWakeUpsAsBeforeAndLaterTurnsFine()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("rolled-back");
        var id = ledger.GetGrainId();
        await ledger.Add(2);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.AddThenThrow(5, "rollback-inbox"));

        Assert.Equal("AddThenThrow failed on purpose", error.Message);
        var view = await ledger.Get();
        Assert.Equal(2, view.Total);
        Assert.Equal([2], view.Amounts);
        Assert.Empty(view.Armed);
        await ledger.Add(3);
        var stored = _cluster.Storage.Envelope(id)!;
        Assert.Equal(5, _cluster.Storage.State<LedgerState>(id)!.Total);
        Assert.Empty(stored.Outbox);
        Assert.Empty(stored.WakeUps);
        Assert.DoesNotContain(_cluster.Storage.Rows(LedgerGrain.IndexKind), r => r.Partition == "thrown");
        Assert.Empty(_cluster.Storage.Rows("wakeup"));
        Assert.Empty(_cluster.Storage.Rows("outbox"));
        Assert.Empty((await _cluster.Grain<IInboxGrain>("rollback-inbox").Get()).Received);
    }

    [Fact]
    public async Task TurnAsync_WhileAnotherTurnIsMidAwait_RunsAfterItInsteadOfThrowing()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("queued");
        await ledger.Add(1);
        _cluster.Probe.Close("queued-turn");
        _cluster.Probe.Close("queued-background");
        await ledger.StartBackgroundAdd(3, "queued-background");
        var turn = ledger.AddAfterGate(2, "queued-turn");
        await Eventually.Until(() => Task.FromResult(_cluster.Probe.Count("gated-turn-entered")), n => n == 1, Deadline, "the turn to wait at its gate");

        // The grain's background work asks for a turn while the caller's turn is mid-await.
        _cluster.Probe.Open("queued-background");
        await Eventually.Until(() => Task.FromResult(_cluster.Probe.Count("background-asking")), n => n == 1, Deadline, "the background work to ask for its turn");
        _cluster.Probe.Open("queued-turn");
        await turn.WaitAsync(Deadline);
        await Eventually.Until(() => Task.FromResult(_cluster.Probe.Count("background-added") + _cluster.Probe.Count("background-failed")), n => n == 1, Deadline, "the background turn to end");

        Assert.Equal(0, _cluster.Probe.Count("background-failed"));
        Assert.Equal([1, 2, 3], (await ledger.Get()).Amounts);
        Assert.Equal(6, _cluster.Storage.State<LedgerState>(ledger.GetGrainId())!.Total);
    }

    [Fact]
    public async Task Write_StaleETag_CallerGetsConflictActivationDeactivatesAndItsEffectsNeverAppear()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("stale");
        var id = ledger.GetGrainId();
        await ledger.Add(1);
        // Another activation of the same grain (a duplicate during a membership change) wrote meanwhile.
        _cluster.Storage.WriteBehind<LedgerState>(id, state => state.Total = 100);

        await Assert.ThrowsAsync<Orleans.Storage.InconsistentStateException>(() => ledger.AddAndSend(5, "stale-inbox", 1, 1));

        // The refusing activation is gone: the next call reaches one that loaded the other writer's state.
        var view = await Eventually.Until(async () =>
        {
            try
            {
                return await ledger.Get();
            }
            catch (Orleans.Storage.InconsistentStateException)
            {
                return null;
            }
        }, v => v is not null, Deadline, "a fresh activation to answer");
        Assert.Equal(100, view!.Total);
        await ledger.Add(1);
        Assert.Equal(101, _cluster.Storage.State<LedgerState>(id)!.Total);
        Assert.Empty((await _cluster.Grain<IInboxGrain>("stale-inbox").Get()).Received);
        Assert.Empty(_cluster.Storage.Envelope(id)!.Outbox);
    }

    [Fact]
    public async Task Read_ReadOnlyMethod_NeverWrites()
    {
        var ledger = _cluster.Grain<ILedgerGrain>("reads");
        var id = ledger.GetGrainId();
        await ledger.Add(1);
        var writes = _cluster.Storage.WritesOf(id);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(1, (await ledger.Get()).Total);
        }

        Assert.Equal(writes, _cluster.Storage.WritesOf(id));
    }
}
