using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Runtime.Indexes;
using Orleans;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Re-drives durable grains nobody calls (G5): every <see cref="DurableOptions.SweepInterval"/> on the orchestrator
/// clock it reads the <c>wakeup</c> and <c>outbox</c> index rows due more than <see cref="DurableOptions.SweepGrace"/>
/// ago, in due order, and calls <see cref="IDurableGrain.Wake"/> on their grains, which Orleans activates wherever it
/// places them (on another silo if theirs died). One Orleans reminder keeps the sweeper itself alive across silo deaths;
/// no grain needs a reminder of its own for its wake-ups or its messages.
/// </summary>
[GrainType("orch-durable-sweeper")]
public sealed class DurableSweeperGrain(IIndexReader indexes, OrchestratorClock clock, IOptions<DurableOptions> options, ILogger<DurableSweeperGrain> logger)
    : Grain, IDurableSweeperGrain, IRemindable
{
    private const string KeepAliveReminder = "keep-alive";
    private readonly DurableOptions _options = options.Value;
    private readonly SemaphoreSlim _sweeping = new(1, 1);
    private IGrainTimer? _timer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await this.RegisterOrUpdateReminder(KeepAliveReminder, _options.SweeperKeepAlive, _options.SweeperKeepAlive, cancellationToken);
        _timer = this.RegisterGrainTimer(SweepTickAsync, new GrainTimerCreationOptions(_options.SweepInterval, _options.SweepInterval) { KeepAlive = true });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public Task Ping() => Task.CompletedTask;

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask; // being active is the point

    public Task<int> SweepNow() => SweepAsync(CancellationToken.None);

    private async Task SweepTickAsync(CancellationToken cancellationToken) => await SweepAsync(cancellationToken);

    private async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await _sweeping.WaitAsync(cancellationToken);
        try
        {
            var cutoff = clock.GetUtcNow() - _options.SweepGrace;
            return await SweepKindAsync(DurableIndexRows.WakeUpKind, cutoff, cancellationToken)
                + await SweepKindAsync(DurableIndexRows.OutboxKind, cutoff, cancellationToken);
        }
        finally
        {
            _sweeping.Release();
        }
    }

    private async Task<int> SweepKindAsync(string kind, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var woken = 0;
        string? after = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var rows = await indexes.QueryAsync(new IndexQuery(kind, [DurableIndexRows.Partition]) { AfterKey = after, Limit = _options.SweepBatchSize, KeysOnly = true }, cancellationToken);
                var due = new List<GrainId>();
                var reachedFuture = false;
                foreach (var row in rows)
                {
                    if (!DurableIndexRows.TryParse(row.Key, out var at, out var grain))
                    {
                        continue;
                    }
                    if (at > cutoff)
                    {
                        reachedFuture = true; // keys are in due order: the rest is not due either
                        break;
                    }
                    due.Add(grain);
                }
                woken += await WakeAllAsync(due);
                if (reachedFuture || rows.Count < _options.SweepBatchSize)
                {
                    break;
                }
                after = rows[^1].Key;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DurableLog.SweepFailed(logger, kind, ex);
        }
        if (woken > 0)
        {
            DurableLog.Swept(logger, woken, kind);
        }
        return woken;
    }

    private async Task<int> WakeAllAsync(List<GrainId> grains)
    {
        var woken = 0;
        foreach (var chunk in grains.Chunk(_options.SweepConcurrency))
        {
            var results = await Task.WhenAll(chunk.Select(WakeAsync));
            woken += results.Count(r => r);
        }
        return woken;
    }

    private async Task<bool> WakeAsync(GrainId grain)
    {
        try
        {
            await GrainFactory.GetGrain<IDurableGrain>(grain).Wake();
            return true;
        }
        catch (Exception ex)
        {
            DurableLog.WakeFailed(logger, grain, ex);
            return false;
        }
    }
}
