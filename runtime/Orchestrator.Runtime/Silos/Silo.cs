using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Diagnostics;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>Where a silo is in its life.</summary>
public enum SiloLifecycle
{
    Created,
    Running,
    Stopping,
    Stopped,

    /// <summary>Killed by the test cluster: stopped without releasing anything, as a crashed process.</summary>
    Killed,

    /// <summary>It found itself declared dead (it was frozen or cut off past its lease) and stopped itself.</summary>
    StoppedStale,
}

/// <summary>
/// A silo: holds a share of the shards, runs the activations of the grains in them, fires their reminders. Silos
/// coordinate only through the database: a membership table with heartbeats, shard leases with epochs.
/// </summary>
public sealed partial class Silo : IAsyncDisposable
{
    private readonly SiloContext _ctx;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _ownershipStopping;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _loops = [];
    private Task _ownershipLoop = Task.CompletedTask;
    private long _lastRenewal;

    internal Silo(RuntimeOptions options, IRuntimeStore store, GrainTypeRegistry registry, IServiceProvider services, TimeProvider clock, ILoggerFactory loggerFactory)
    {
        options.ThrowIfInvalid();
        Name = options.SiloName;
        SiloId = $"{options.SiloName}-{Guid.NewGuid():N}";
        _ownershipStopping = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var logger = loggerFactory.CreateLogger<Silo>();
        Metrics = new SiloMetrics(options.SiloName);
        _ctx = new SiloContext
        {
            SiloId = SiloId,
            Options = options,
            Store = store,
            Registry = registry,
            Services = services,
            Clock = clock,
            Logger = logger,
            Metrics = Metrics,
            Reader = new GrainReader(store, registry, services, clock, options.ShardCount),
            Gate = new PauseGate(),
            Stopping = _stopping.Token,
        };
        _ctx.Directory = new ActivationDirectory(_ctx);
        _ctx.OnShardLost = (shard, epoch) => _ = LoseShardsAsync([new ShardLease(shard, epoch)]);
    }

    /// <summary>Unique per process start: a restarted silo is a new generation and never reuses an old identity.</summary>
    public string SiloId { get; }

    public string Name { get; }

    public SiloLifecycle Lifecycle { get; private set; } = SiloLifecycle.Created;

    public SiloMetrics Metrics { get; }

    /// <summary>The shards this silo holds now.</summary>
    public IReadOnlyCollection<ShardLease> Shards => _ctx.Shards.Held;

    public int ActivationCount => _ctx.Directory.Count;

    /// <summary>Completes when the silo has stopped, for whatever reason.</summary>
    public Task Stopped => _stopped.Task;

    internal bool IsFrozen => _ctx.Gate.IsPaused;

    /// <summary>Work waiting in a grain's mailbox here: lets a test hold a turn until the next ones are queued behind it.</summary>
    internal int QueuedWorkOf(Grains.GrainId grain) => _ctx.Directory.QueuedWorkOf(grain);

    /// <summary>Joins the cluster, takes its shards and starts working. The schema must exist (see the store's migration).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetUtcNow();
        await _ctx.Store.JoinAsync(new SiloRecord(SiloId, Name, _ctx.Options.Address, now.UtcTicks, SiloStatus.Active, now, now), cancellationToken);
        var stopping = _stopping.Token;
        _ctx.Committer = new GroupCommitter(_ctx, _ctx.Store.Kind == "sqlite" ? 1 : _ctx.Options.CommitConcurrency, stopping);
        _ctx.Pump = new InboxPump(_ctx, stopping);
        _ctx.Reminders = new ReminderPump(_ctx, stopping);
        _lastRenewal = TimeProvider.System.GetTimestamp();
        await OwnershipTickAsync(cancellationToken);
        _loops.Add(_ctx.Pump.Completion);
        _loops.Add(_ctx.Reminders.Completion);
        _ownershipLoop = Task.Run(() => OwnershipLoopAsync(_ownershipStopping.Token), CancellationToken.None);
        _loops.Add(_ownershipLoop);
        _loops.Add(Task.Run(() => IdleCollectionLoopAsync(stopping), CancellationToken.None));
        _loops.Add(Task.Run(() => _ctx.Store.ListenAsync(_ctx.Pump.Wake, stopping), CancellationToken.None));
        Lifecycle = SiloLifecycle.Running;
        Log.Started(_ctx.Logger, SiloId, Shards.Count);
    }

    /// <summary>
    /// Graceful hand-off: leave the rendezvous set, stop taking work, let running turns finish and commit, release
    /// every shard, and mark this identity dead so it never returns. Never throws: a hand-off cut short (the token
    /// cancelled, the drain time over, the store unreachable) is logged, and whatever was not released is taken over
    /// by the next owner when its lease expires, as after a crash. Committed work is never lost either way.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Lifecycle != SiloLifecycle.Running)
        {
            return;
        }
        Lifecycle = SiloLifecycle.Stopping;
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            Log.Stopping(_ctx.Logger, SiloId, _ctx.Shards.Held.Count, ActivationCount);
            await _ctx.Store.SetSiloStatusAsync(SiloId, SiloStatus.ShuttingDown, cancellationToken);
            // The ownership loop must be done before the shards are counted: a tick still running could acquire more.
            await _ownershipStopping.CancelAsync();
            await _ownershipLoop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var held = _ctx.Shards.Held.Select(s => s.Shard).ToList();
            _ctx.Shards.StartDraining(held);
            var drained = _ctx.Directory.RemoveWhere(_ => true, Grains.DeactivationReason.SiloShutdown, QueuedWork.GiveBack);
            await Task.WhenAny(drained, Task.Delay(_ctx.Options.ShutdownDrainTimeout, TimeProvider.System, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            await _ctx.Committer.CompleteAsync().WaitAsync(_ctx.Options.ShutdownDrainTimeout, TimeProvider.System, cancellationToken);
            var released = _ctx.Shards.Clear();
            await _ctx.Store.ReleaseShardsAsync(SiloId, released, cancellationToken);
            await _ctx.Store.SetSiloStatusAsync(SiloId, SiloStatus.Dead, cancellationToken);
            Log.HandedOff(_ctx.Logger, SiloId, released.Count, TimeProvider.System.GetElapsedTime(started));
        }
        catch (Exception ex)
        {
            // The boundary of a stop: a failure here must not crash the process that is stopping.
            Log.HandOffIncomplete(_ctx.Logger, SiloId, TimeProvider.System.GetElapsedTime(started), ex);
        }
        finally
        {
            await _stopping.CancelAsync();
            await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Lifecycle = SiloLifecycle.Stopped;
            _stopped.TrySetResult();
            Log.Stopped(_ctx.Logger, SiloId);
        }
    }

    /// <summary>Stops at once without releasing shards or updating membership, as a crashed process would.</summary>
    internal void Kill()
    {
        Lifecycle = SiloLifecycle.Killed;
        _stopping.Cancel();
        _ctx.Gate.Resume();
        _stopped.TrySetResult();
    }

    /// <summary>Stops renewing and turning (a long GC pause, a lost network) until <see cref="Resume"/>.</summary>
    internal void Freeze() => _ctx.Gate.Pause();

    internal void Resume() => _ctx.Gate.Resume();

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (Lifecycle == SiloLifecycle.Running)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }
        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Metrics.Dispose();
        _stopping.Dispose();
        _ownershipStopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Silo {SiloId} started with {Shards} shards")]
        public static partial void Started(ILogger logger, string siloId, int shards);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Silo {SiloId} stopped")]
        public static partial void Stopped(ILogger logger, string siloId);

        [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "Silo {SiloId} stopping: handing off {Shards} shards, deactivating {Activations} activations")]
        public static partial void Stopping(ILogger logger, string siloId, int shards, int activations);

        [LoggerMessage(EventId = 6008, Level = LogLevel.Information, Message = "Silo {SiloId} handed off {Shards} shards in {Elapsed}")]
        public static partial void HandedOff(ILogger logger, string siloId, int shards, TimeSpan elapsed);

        [LoggerMessage(EventId = 6009, Level = LogLevel.Warning,
            Message = "Silo {SiloId}: the graceful hand-off did not finish ({Elapsed}); shards it did not release are taken over when their leases expire")]
        public static partial void HandOffIncomplete(ILogger logger, string siloId, TimeSpan elapsed, Exception exception);

        [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Silo {SiloId} was declared dead; stopping itself")]
        public static partial void DeclaredDead(ILogger logger, string siloId);

        [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Silo {SiloId} lost shards {Shards}")]
        public static partial void ShardsLost(ILogger logger, string siloId, string shards);

        [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "Silo {SiloId}: ownership tick failed")]
        public static partial void TickFailed(ILogger logger, string siloId, Exception exception);

        [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Silo {SiloId} could not renew its leases for {Elapsed}; it stops serving all shards")]
        public static partial void LeasesExpired(ILogger logger, string siloId, TimeSpan elapsed);
    }
}
