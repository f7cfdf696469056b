using System.Text;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

public sealed partial class Silo
{
    private int _tick;

    /// <summary>A quarter of the lease (renewals survive a missed tick or two), at most 2 s so that joins and leaves are
    /// acted on quickly even with long leases.</summary>
    private TimeSpan RenewInterval => TimeSpan.FromTicks(Math.Min(_ctx.Options.LeaseTime.Ticks / 4, TimeSpan.FromSeconds(2).Ticks));

    private async Task OwnershipLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RenewInterval, TimeProvider.System, stopping);
                await _ctx.Gate.WaitAsync(stopping);
                await OwnershipTickAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.TickFailed(_ctx.Logger, SiloId, ex);
            }
        }
    }

    /// <summary>Heartbeat, renew leases, detect dead silos, and move shards to match the rendezvous assignment.</summary>
    private async Task OwnershipTickAsync(CancellationToken cancellationToken)
    {
        var sinceRenewal = TimeProvider.System.GetElapsedTime(_lastRenewal);
        if (sinceRenewal >= _ctx.Options.LeaseTime * 0.75 && _ctx.Shards.Held.Count > 0)
        {
            // Another silo may own our shards by now; stop serving before anything else happens.
            Log.LeasesExpired(_ctx.Logger, SiloId, sinceRenewal);
            await LoseShardsAsync(_ctx.Shards.Held);
        }
        if (!await _ctx.Store.HeartbeatAsync(SiloId, cancellationToken))
        {
            await StopStaleAsync();
            return;
        }
        var renewed = await _ctx.Store.RenewShardsAsync(SiloId, _ctx.Options.LeaseTime, cancellationToken);
        _lastRenewal = TimeProvider.System.GetTimestamp();
        var renewedSet = renewed.ToHashSet();
        var heldNow = _ctx.Shards.Held;
        var lost = heldNow.Where(h => !renewedSet.Contains(h)).ToList();
        if (lost.Count > 0)
        {
            await LoseShardsAsync(lost);
        }
        // Leases the table says are ours but that we do not serve (we dropped them after a fenced commit, say):
        // give them back, or nobody would serve those shards while we keep renewing them.
        var heldShards = heldNow.Select(h => h.Shard).ToHashSet();
        var orphaned = renewed.Where(r => !heldShards.Contains(r.Shard)).ToList();
        if (orphaned.Count > 0)
        {
            await _ctx.Store.ReleaseShardsAsync(SiloId, orphaned, cancellationToken);
        }

        await _ctx.Store.DeclareDeadAsync(_ctx.Options.LeaseTime, cancellationToken);
        var view = await _ctx.Store.ReadMembershipAsync(cancellationToken);
        var active = view.Silos.Where(s => s.Status == SiloStatus.Active).Select(s => s.SiloId).ToList();
        if (!active.Contains(SiloId))
        {
            return;
        }
        var desired = Enumerable.Range(0, _ctx.Options.ShardCount).Where(shard => RendezvousOwner(shard, active) == SiloId).ToHashSet();
        var held = _ctx.Shards.Held.Select(s => s.Shard).ToHashSet();
        var handOff = held.Where(s => !desired.Contains(s)).ToList();
        if (handOff.Count > 0)
        {
            await HandOffAsync(handOff, cancellationToken);
        }
        var wanted = desired.Where(s => !held.Contains(s)).ToList();
        if (wanted.Count > 0)
        {
            var acquired = await _ctx.Store.AcquireShardsAsync(SiloId, wanted, _ctx.Options.LeaseTime, cancellationToken);
            if (acquired.Count > 0)
            {
                _ctx.Shards.Add(acquired);
                _ctx.Pump?.RequestFullSweep();
                _ctx.Reminders?.Wake();
            }
        }
        if (++_tick % 20 == 0)
        {
            await _ctx.Store.CleanupDeadSilosAsync(TimeSpan.FromHours(1), cancellationToken);
            await _ctx.Store.PurgeDedupeKeysAsync(_ctx.Options.DedupeRetention, 10_000, cancellationToken);
        }
        if (_tick % 4 == 0 && _ctx.Shards.Active.Length > 0)
        {
            _ctx.Metrics.InboxDepth(await _ctx.Store.CountPendingAsync(_ctx.Shards.Active, cancellationToken));
        }
    }

    /// <summary>Graceful hand-off of shards another silo should own: stop taking work, drain, release.</summary>
    private async Task HandOffAsync(IReadOnlyCollection<int> shards, CancellationToken cancellationToken)
    {
        var set = shards.ToHashSet();
        _ctx.Shards.StartDraining(set);
        var drained = _ctx.Directory.RemoveWhere(a => set.Contains(a.Shard), DeactivationReason.ShardHandOff, QueuedWork.GiveBack);
        await Task.WhenAny(drained, Task.Delay(_ctx.Options.ShutdownDrainTimeout, TimeProvider.System, cancellationToken));
        var released = _ctx.Shards.Remove(set);
        await _ctx.Store.ReleaseShardsAsync(SiloId, released, cancellationToken);
    }

    /// <summary>Shards taken over by another silo: drop their activations without running more of their work.</summary>
    private Task LoseShardsAsync(IReadOnlyCollection<ShardLease> leases)
    {
        var held = _ctx.Shards.Held.ToHashSet();
        var lost = leases.Where(held.Contains).Select(l => l.Shard).ToHashSet();
        if (lost.Count == 0)
        {
            return Task.CompletedTask;
        }
        Log.ShardsLost(_ctx.Logger, SiloId, string.Join(",", lost.Order()));
        _ctx.Shards.Remove(lost);
        return _ctx.Directory.RemoveWhere(a => lost.Contains(a.Shard), DeactivationReason.ShardHandOff, QueuedWork.Invalidate);
    }

    private async Task StopStaleAsync()
    {
        Log.DeclaredDead(_ctx.Logger, SiloId);
        _ctx.Shards.Clear();
        await _ctx.Directory.RemoveWhere(_ => true, DeactivationReason.ShardHandOff, QueuedWork.Invalidate);
        Lifecycle = SiloLifecycle.StoppedStale;
        await _stopping.CancelAsync();
        _stopped.TrySetResult();
    }

    private async Task IdleCollectionLoopAsync(CancellationToken stopping)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, _ctx.Options.IdleCollectionAge.Ticks / 2));
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, TimeProvider.System, stopping);
                var age = _ctx.Options.IdleCollectionAge;
                await _ctx.Directory.RemoveWhere(a => a.IsIdleFor(age), DeactivationReason.IdleCollection, QueuedWork.Run);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.TickFailed(_ctx.Logger, SiloId, ex);
            }
        }
    }

    /// <summary>Rendezvous (highest random weight) hashing: each shard goes to the silo scoring highest for it, so a
    /// membership change moves only the shards of the silo that came or went.</summary>
    internal static string RendezvousOwner(int shard, IReadOnlyList<string> silos)
    {
        string? best = null;
        ulong bestScore = 0;
        foreach (var silo in silos)
        {
            var score = Mix(Fnv64(silo) ^ (ulong)shard * 0x9E3779B97F4A7C15UL);
            if (best is null || score > bestScore || (score == bestScore && string.CompareOrdinal(silo, best) < 0))
            {
                best = silo;
                bestScore = score;
            }
        }
        return best!;
    }

    private static ulong Fnv64(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
