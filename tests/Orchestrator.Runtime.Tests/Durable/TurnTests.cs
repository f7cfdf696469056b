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
}
