using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Durable;
using Orleans;

namespace Orchestrator.Grains.Hosts;

/// <summary>
/// One per silo: watches the liveness of the host grains active on it with one timer, a scan every
/// <see cref="ScanInterval"/> of the orchestrator clock, instead of a timer per host (100,000 timers cost the runtime's
/// timer queue a walk over all of them several times a second, and a tick each a grain turn). A scan reads each host's
/// <see cref="HostLiveness.OfflineAt"/> and calls <see cref="IHostGrain.CheckLiveness"/> only on those past it (at most
/// one call in flight per host), so a live fleet costs no call at all; the grain decides. A scan that comes more than
/// <see cref="HostLiveness.Misfire"/> after the one before (the clock jumped, or the silo stalled) pardons every host
/// instead: it counts as heard then, since nobody was looking meanwhile (a heartbeat that came may not have been
/// handled), so moving the clock never takes a live host offline.
/// </summary>
public sealed partial class HostLivenessMonitor(OrchestratorClock clock, IGrainFactory grains, ILogger<HostLivenessMonitor> logger) : IDisposable
{
    /// <summary>How often the hosts are scanned: how late after its due check a silent host goes offline, at most.</summary>
    public static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Tracked, byte> _tracked = new();
    private readonly Lock _sync = new();
    private ITimer? _timer;
    private long _lastScanTicks; // UTC ticks of the last scan (or of the timer's start)
    private bool _disposed;

    /// <summary>Starts watching <paramref name="liveness"/> of host <paramref name="host"/>; the grain ends it with <see cref="Untrack"/>.</summary>
    public Tracked Track(string host, HostLiveness liveness)
    {
        var tracked = new Tracked(host, liveness);
        _tracked[tracked] = 0;
        lock (_sync)
        {
            if (_timer is null && !_disposed)
            {
                Interlocked.Exchange(ref _lastScanTicks, clock.GetUtcNow().UtcTicks);
                _timer = clock.CreateTimer(static state => ((HostLivenessMonitor)state!).Scan(), this, ScanInterval, Timeout.InfiniteTimeSpan);
            }
        }
        return tracked;
    }

    public void Untrack(Tracked tracked) => _tracked.TryRemove(tracked, out _);

    /// <summary>One scan (the timer's callback): calls the hosts found past their offline time, or pardons them all.</summary>
    private void Scan()
    {
        try
        {
            var now = clock.GetUtcNow();
            var pardon = now.UtcTicks - Interlocked.Exchange(ref _lastScanTicks, now.UtcTicks) > HostLiveness.Misfire.Ticks;
            foreach (var (tracked, _) in _tracked) // enumerated without a lock or a copy (Keys would copy all of them)
            {
                if (pardon)
                {
                    tracked.Liveness.Heard(now);
                }
                else if (now >= tracked.Liveness.OfflineAt && Interlocked.CompareExchange(ref tracked.Checking, 1, 0) == 0)
                {
                    _ = CheckAsync(tracked);
                }
            }
        }
        finally
        {
            lock (_sync)
            {
                if (!_disposed)
                {
                    _timer?.Change(ScanInterval, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    private async Task CheckAsync(Tracked tracked)
    {
        try
        {
            await grains.GetGrain<IHostGrain>(tracked.Host).CheckLiveness();
        }
        catch (Exception ex)
        {
            CheckFailed(logger, tracked.Host, ex); // the next scan asks again
        }
        finally
        {
            Volatile.Write(ref tracked.Checking, 0);
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    [LoggerMessage(EventId = 5401, Level = LogLevel.Warning, Message = "Host {Host}: its liveness check failed; the next scan asks again")]
    private static partial void CheckFailed(ILogger logger, string host, Exception exception);

    /// <summary>A host watched by this silo (its activation's liveness); compared by reference, so a new activation's entry is never another's.</summary>
    public sealed class Tracked(string host, HostLiveness liveness)
    {
        public string Host { get; } = host;

        public HostLiveness Liveness { get; } = liveness;

        internal int Checking; // 1 while a check call is in flight
    }
}

public static class HostLivenessServiceCollectionExtensions
{
    /// <summary>The silo's <see cref="HostLivenessMonitor"/>, which every silo hosting <c>HostGrain</c> needs.</summary>
    public static IServiceCollection AddHostLiveness(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<HostLivenessMonitor>();
        return services;
    }
}
