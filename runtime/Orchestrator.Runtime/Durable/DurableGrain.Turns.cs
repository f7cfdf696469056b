using System.Collections.Concurrent;
using System.Data.Common;
using System.Reflection;
using System.Text.Json;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence.GrainState;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Durable;

/// <summary>Turns: the lock, the dedupe check, the snapshot and the rollback.</summary>
public abstract partial class DurableGrain<TState>
{
    private static readonly ConcurrentDictionary<(Type Grain, MethodInfo Method), CallKind> CallKinds = new();

    /// <summary>The turn running now, and (flowing with its awaits) the turn a piece of code runs in: see <see cref="TurnAsync"/>.</summary>
    private static readonly AsyncLocal<object?> TurnFlow = new();

    private bool _turnRunning;
    private object? _runningTurn;
    private RawJson? _cleanState; // _state serialized, valid until a turn runs
    private List<IndexWrite> _pendingIndex = [];
    private List<OutboxEntry> _turnSends = [];
    private List<Action> _turnCallbacks = [];
    private List<Action> _doneCallbacks = []; // of turns run and not yet in a write
    private AppliedKeyWindow _applied = null!;

    /// <summary>
    /// Every incoming call passes here (Orleans calls a grain's own <see cref="IIncomingGrainCallFilter"/> for each of
    /// its calls, reminder ticks and timer ticks included). Calls to the grain's own interfaces become turns or reads
    /// (or, marked <see cref="OutsideTurnAttribute"/>, run as they are);
    /// anything else (grain extensions, <see cref="IDurableGrain.Wake"/>, timer ticks, whose callbacks run their own
    /// turns) passes through.
    /// </summary>
    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        var kind = CallKinds.GetOrAdd((GetType(), context.Request.GetMethod()), static (key, request) => Classify(key.Grain, request), context.Request);
        try
        {
            switch (kind)
            {
                case CallKind.PassThrough:
                    await context.Invoke();
                    return;
                case CallKind.Read:
                    await ReadAsync(context);
                    return;
                case CallKind.OutsideTurn:
                    RequestContext.Remove(DurableRequestContext.DedupeKey); // must not travel on with the grain's own calls
                    await context.Invoke();
                    return;
                default:
                    await CommandAsync(context, kind);
                    return;
            }
        }
        catch (DbException ex)
        {
            // The grain's own database calls (Indexes, Logs) fail with the store's exceptions, which Orleans cannot
            // send to a caller on another silo: the caller gets their text instead.
            throw GrainStorageException.FromGrainCall(_id.ToString(), $"{context.Request.GetInterfaceType()?.Name ?? context.Request.GetInterfaceName()}.{context.Request.GetMethodName()}", ex);
        }
    }

    private static CallKind Classify(Type grainClass, Orleans.Serialization.Invocation.IInvokable request)
    {
        var iface = request.GetInterfaceType();
        var method = request.GetMethod();
        if (iface is null || method is null || iface == typeof(IDurableGrain) || !iface.IsAssignableFrom(grainClass))
        {
            return CallKind.PassThrough;
        }
        if (method.IsDefined(typeof(OutsideTurnAttribute), inherit: true))
        {
            return CallKind.OutsideTurn;
        }
        var implementation = ImplementationOf(grainClass, iface, method);
        if (method.IsDefined(typeof(ReadOnlyAttribute), inherit: true) || implementation?.IsDefined(typeof(ReadOnlyAttribute), inherit: true) == true
            || method.ReturnType == typeof(ValueTask)
            || (method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return CallKind.Read;
        }
        if (method.ReturnType != typeof(Task))
        {
            return CallKind.CommandWithResult; // answers a value: no dedupe (messages are Task-only)
        }
        return method.IsDefined(typeof(DomainIdempotentAttribute), inherit: true) ? CallKind.IdempotentCommand : CallKind.Command;
    }

    private static MethodInfo? ImplementationOf(Type grainClass, Type iface, MethodInfo method)
    {
        var map = grainClass.GetInterfaceMap(iface);
        var index = Array.IndexOf(map.InterfaceMethods, method);
        return index >= 0 ? map.TargetMethods[index] : null;
    }

    private async Task ReadAsync(IIncomingGrainCallContext context)
    {
        Task durable;
        await _turnLock.WaitAsync();
        try
        {
            ThrowIfBroken();
            await context.Invoke();
            durable = DurableAfterTurnsSoFar();
        }
        finally
        {
            _turnLock.Release();
        }
        // What the read saw may come from turns whose write is still in flight: answer once it is durable.
        await durable;
    }

    private async Task CommandAsync(IIncomingGrainCallContext context, CallKind kind)
    {
        var dedupeKey = RequestContext.Get(DurableRequestContext.DedupeKey) as string;
        if (dedupeKey is not null)
        {
            RequestContext.Remove(DurableRequestContext.DedupeKey); // must not travel on with this turn's own calls
        }
        var keyed = dedupeKey is not null && kind == CallKind.Command;
        Task durable;
        await _turnLock.WaitAsync();
        try
        {
            ThrowIfBroken();
            if (keyed && _applied.Contains(dedupeKey!))
            {
                DurableLog.DuplicateSkipped(_logger, _id, context.Request.GetMethodName(), dedupeKey!);
                context.Result = null;
                // The first application may still be in a write in flight: acknowledge once it is durable.
                durable = DurableAfterTurnsSoFar();
            }
            else
            {
                await RunTurnAsync(context.Invoke);
                if (keyed)
                {
                    _applied.Add(dedupeKey!, _clock.GetUtcNow());
                }
                durable = JoinNextWrite();
            }
        }
        finally
        {
            _turnLock.Release();
        }
        await durable;
    }

    /// <summary>
    /// Runs <paramref name="body"/> as a turn; the caller holds the lock. If it throws, state, outbox entries, index
    /// writes and wake-ups are as they were before it, and the exception goes on.
    /// </summary>
    private async Task RunTurnAsync(Func<Task> body)
    {
        var state = _cleanState ??= SerializeState();
        var indexCount = _pendingIndex.Count;
        var wakeUps = new Dictionary<string, WakeUpEntry>(_wakeUps, StringComparer.Ordinal);
        _turnSends = [];
        _turnCallbacks = [];
        _turnRunning = true;
        _runningTurn = TurnFlow.Value = new object(); // reverted for the caller when this method returns
        try
        {
            await body();
        }
        catch
        {
            _state = state.Deserialize<TState>(DurableJson.Options) ?? new TState();
            foreach (var entry in _turnSends)
            {
                RemoveEntry(entry);
            }
            _pendingIndex.RemoveRange(indexCount, _pendingIndex.Count - indexCount);
            _wakeUps = wakeUps;
            _turnCallbacks = [];
            throw;
        }
        finally
        {
            _turnRunning = false;
            _runningTurn = null;
            _turnSends = [];
            ScheduleWakeUpTimer();
        }
        _cleanState = null;
        _doneCallbacks.AddRange(_turnCallbacks);
        _turnCallbacks = [];
    }

    /// <summary>
    /// Runs <paramref name="body"/> as a turn of this grain on its own initiative (from work it runs outside the lock,
    /// such as a delivery loop of its own): under the turn lock, rolled back if it throws, and completed once the write
    /// holding it is durable. Called while another turn is mid-await (the grain is reentrant, so its background work
    /// runs then), it waits for the lock and runs after that turn and any queued before it, in order. Never call it
    /// from inside a turn, or from work that turn awaits (it would wait for itself): that throws.
    /// </summary>
    protected async Task TurnAsync(Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (_runningTurn is { } running && ReferenceEquals(TurnFlow.Value, running))
        {
            throw new InvalidOperationException($"{nameof(TurnAsync)} cannot be called inside a turn of {GetType().Name}.");
        }
        Task durable;
        await _turnLock.WaitAsync(_lifetime.Token);
        try
        {
            ThrowIfBroken();
            await RunTurnAsync(body);
            durable = JoinNextWrite();
        }
        finally
        {
            _turnLock.Release();
        }
        await durable;
    }

    /// <summary>
    /// Runs <paramref name="callback"/> once the write holding this turn is durable (on the grain's scheduler, outside
    /// any turn); dropped if the turn throws or the write fails. For work that may only start after the decision is
    /// durable, such as a delivery loop of the grain's own.
    /// </summary>
    protected void AfterWrite(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        RequireTurn(nameof(AfterWrite));
        _turnCallbacks.Add(callback);
    }

    private RawJson SerializeState() => RawJson.Serialize(_state, DurableJson.Options);

    void IOutboxRecorder.Record(GrainId target, Type grainInterface, MethodInfo method, object?[]? args, string? dedupeKey)
    {
        RequireTurn(nameof(Send));
        OutboxCalls.EnsureSendable(grainInterface, method);
        var now = _clock.GetUtcNow();
        var seq = _nextSeq++;
        var entry = new OutboxEntry
        {
            Seq = seq,
            Target = target.ToString(),
            Interface = OutboxCalls.InterfaceName(grainInterface),
            Method = method.Name,
            Arguments = OutboxCalls.SerializeArguments(method, args),
            DedupeKey = dedupeKey ?? $"{_id}#{seq}",
            CreatedAt = now,
            NextAttemptAt = now,
        };
        AddEntry(entry);
        _turnSends.Add(entry);
    }

    private enum CallKind
    {
        PassThrough,
        Read,
        Command,
        IdempotentCommand,
        CommandWithResult,
        OutsideTurn,
    }
}
