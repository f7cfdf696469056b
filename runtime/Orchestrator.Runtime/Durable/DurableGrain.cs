using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Base class of the orchestrator's grains on Orleans (ARCHITECTURE §4, G1–G3, G5). A command (any call to one of the
/// grain's own interfaces not marked read-only, a reminder tick, a wake-up) is a <b>turn</b>: turns run one at a time
/// under this grain's own lock; what a turn does — <see cref="State"/>, index rows (<see cref="WriteIndex"/>), messages
/// to other grains (<see cref="Send{TGrain}(string, string?)"/>), wake-ups (<see cref="ArmWakeUp(string, DateTimeOffset)"/>)
/// — is persisted in <b>one</b> write before its caller is answered, and nothing of it is kept if it throws. Writes
/// coalesce: one is in flight per activation, and the turns that finish meanwhile share the next one. Messages are
/// delivered after the write that holds them, re-sent until acknowledged (on activation, and by the sweeper when the
/// grain's silo died), and applied once by the receiver (dedupe keys). Reads (<c>[ReadOnly]</c>, or returning
/// <see cref="ValueTask"/>) take the lock but never write; they answer once what they saw is durable.
/// <para>
/// The grain is <c>[Reentrant]</c>: only the turn lock serialises turns, so calls keep arriving while a write or a
/// delivery is in flight. Grain code must not use <c>ConfigureAwait(false)</c> (continuations stay on the activation).
/// A turn that awaits a call to another grain holds the lock meanwhile: keep such calls to reads, and never in a cycle.
/// </para>
/// </summary>
[Reentrant]
public abstract partial class DurableGrain<TState> : Grain, IIncomingGrainCallFilter, IDurableGrain, ILifecycleParticipant<IGrainLifecycle>, IOutboxRecorder
    where TState : class, new()
{
    private const string StateName = "state";

    private readonly SemaphoreSlim _turnLock = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private TState _state = new();
    private static readonly DurableOptions DefaultOptions = new();
    private DurableOptions _options = DefaultOptions;
    private bool _loaded; // the stored state is in: deliveries and the wake-up timer may start
    private bool _deactivateWhenDelivered;
    private bool _leavingDelivered; // this deactivation is DeactivateWhenDelivered's
    private OrchestratorClock _clock = OrchestratorClock.RealTime;
    private IGrainStorage _storage = null!;
    private ILogger _logger = null!;
    private GrainId _id;

    /// <summary>The domain state as of the current turn. Mutate or replace it freely inside a turn.</summary>
    protected TState State
    {
        get => _state;
        set => _state = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The orchestrator's clock. Grains never read the wall clock.</summary>
    protected TimeProvider Clock => _clock;

    /// <summary>This grain's key (<c>GetPrimaryKeyString()</c> for string-keyed grains).</summary>
    protected string GrainKey => this.GetPrimaryKeyString();

    /// <summary>Committed index rows of the database (a turn's own writes show once written).</summary>
    protected IIndexReader Indexes => ServiceProvider.GetRequiredService<IIndexReader>();

    /// <summary>
    /// The output log store. What a turn does here happens at once, outside its write: a turn that is rolled back does
    /// not undo it, so use it only idempotently (reads, deleting a finished target's streams).
    /// </summary>
    protected ILogStore Logs => ServiceProvider.GetRequiredService<ILogStore>();

    /// <summary>Cancelled when this activation stops (deactivation, or a failed write): ends work the grain runs on its own.</summary>
    protected CancellationToken ActivationStopping => _lifetime.Token;

    /// <summary>True while a turn of this grain runs (the calls below throw outside one).</summary>
    protected bool InTurn => _turnRunning;

    /// <summary>Writes an index row with this turn's write, atomically with the state; the last write of a key wins.</summary>
    protected void WriteIndex(IndexRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        RequireTurn(nameof(WriteIndex));
        _pendingIndex.Add(IndexWrite.Upsert(row));
    }

    /// <summary>Deletes an index row with this turn's write. Deleting a missing row does nothing.</summary>
    protected void DeleteIndex(string kind, string partition, string key)
    {
        RequireTurn(nameof(DeleteIndex));
        _pendingIndex.Add(IndexWrite.Delete(kind, partition, key));
    }

    /// <summary>
    /// A reference to grain <paramref name="key"/> whose calls become messages of this turn: recorded in the outbox,
    /// persisted with the turn, delivered after that write (per target in order), re-sent until acknowledged and
    /// applied once. Only methods returning <see cref="Task"/> can be called through it. The receiver dedupes by
    /// <paramref name="dedupeKey"/> when given (one call per key: a second call with the same key is taken for a
    /// re-send), else by a key unique to the message.
    /// </summary>
    protected TGrain Send<TGrain>(string key, string? dedupeKey = null)
        where TGrain : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireTurn(nameof(Send));
        return OutboxProxy.Create<TGrain>(this, GrainFactory.GetGrain<TGrain>(key).GetGrainId(), dedupeKey);
    }

    /// <summary>As <see cref="Send{TGrain}(string, string?)"/>, to a grain reference of any key type.</summary>
    protected TGrain Send<TGrain>(TGrain grain, string? dedupeKey = null)
        where TGrain : IAddressable
    {
        ArgumentNullException.ThrowIfNull(grain);
        RequireTurn(nameof(Send));
        return OutboxProxy.Create<TGrain>(this, grain.GetGrainId(), dedupeKey);
    }

    /// <summary>
    /// Lets this activation go once every message it sent is acknowledged, its notices went out and no wake-up is armed: for a grain that is
    /// done (a target that reported its end), so a fan-out over 100,000 hosts does not hold 100,000 finished
    /// activations until Orleans' idle collection. Acknowledgements not yet written are written as it goes; a later
    /// call activates it again from storage. A later turn that arms a wake-up keeps it.
    /// </summary>
    protected void DeactivateWhenDelivered()
    {
        RequireTurn(nameof(DeactivateWhenDelivered));
        _deactivateWhenDelivered = true;
    }

    private void DeactivateIfDelivered()
    {
        if (_deactivateWhenDelivered && _outbox.Count == 0 && _noticesPending == 0 && _wakeUps.Count == 0 && _open is null && _inFlight is null && _broken is null
            && !_lifetime.IsCancellationRequested)
        {
            _deactivateWhenDelivered = false;
            _leavingDelivered = true;
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// Called before any turn of a new activation, after the state is loaded. Changes it makes are written with the
    /// first turn; it cannot send, write index rows or arm wake-ups (it is not a turn).
    /// </summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    void ILifecycleParticipant<IGrainLifecycle>.Participate(IGrainLifecycle lifecycle)
    {
        lifecycle.Subscribe(GetType().FullName!, GrainLifecycleStage.SetupState, LoadAsync, _ => Task.CompletedTask);
        lifecycle.Subscribe(GetType().FullName!, GrainLifecycleStage.Activate + 1, StartAsync, StopAsync);
    }

    /// <inheritdoc />
    public Task Wake()
    {
        KickDelivery();
        ScheduleWakeUpTimer(force: true);
        return Task.CompletedTask;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var services = ServiceProvider;
        _id = GrainContext.GrainId;
        _options = services.GetService<IOptions<DurableOptions>>()?.Value ?? DefaultOptions;
        _clock = services.GetService<OrchestratorClock>() ?? OrchestratorClock.RealTime;
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Orchestrator.Runtime.Durable.DurableGrain");
        _storage = ResolveStorage(services);
        _applied = new AppliedKeyWindow(_options.AppliedKeysLimit, _options.AppliedKeysRetention);

        var stored = new GrainState<DurableEnvelope>(new DurableEnvelope());
        await _storage.ReadStateAsync(StateName, _id, stored);
        _etag = stored.ETag;
        _recordExists = stored.RecordExists;
        var envelope = stored.State ?? new DurableEnvelope();
        _state = envelope.State.IsObject
            ? envelope.State.Deserialize<TState>(DurableJson.Options) ?? new TState()
            : new TState();
        _nextSeq = envelope.NextSeq;
        foreach (var entry in envelope.Outbox.OrderBy(e => e.Seq))
        {
            AddEntry(entry);
            _nextSeq = Math.Max(_nextSeq, entry.Seq + 1);
        }
        _durableNextSeq = _nextSeq;
        _applied.Load(envelope.Applied, _clock.GetUtcNow());
        _wakeUps = new Dictionary<string, WakeUpEntry>(envelope.WakeUps, StringComparer.Ordinal);
        _loaded = true;
        _wakeUpRow = envelope.WakeUpRow;
        _outboxRow = envelope.OutboxRow;
    }

    private IGrainStorage ResolveStorage(IServiceProvider services)
    {
        var attribute = GetType().GetCustomAttributes(typeof(Orleans.Providers.StorageProviderAttribute), inherit: true)
            .OfType<Orleans.Providers.StorageProviderAttribute>().FirstOrDefault();
        var name = attribute?.ProviderName ?? _options.StorageName;
        return services.GetKeyedService<IGrainStorage>(name)
            ?? throw new InvalidOperationException($"Grain '{GetType().Name}' writes to grain storage '{name}', which is not registered (DurableOptions.StorageName or [StorageProvider]).");
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        ScheduleWakeUpTimer(force: true);
        KickDelivery();
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await WriteUnwrittenAcksAsync(cancellationToken);
        Stop();
    }

    /// <summary>Ends deliveries and the wake-up timer of this activation (deactivation, or a failed write).</summary>
    private void Stop()
    {
        if (!_lifetime.IsCancellationRequested)
        {
            Telemetry.OrchestratorMetrics.AddOutboxPending(-_outboxCounted);
            _outboxCounted = 0;
            _lifetime.Cancel();
        }
        _wakeUpTimer?.Dispose();
        _wakeUpTimer = null;
    }

    private void RequireTurn(string what)
    {
        if (!_turnRunning)
        {
            throw new InvalidOperationException($"{what} can only be called inside a turn of {GetType().Name} (a command, a reminder tick or a wake-up), not in a read or outside a call.");
        }
    }
}
