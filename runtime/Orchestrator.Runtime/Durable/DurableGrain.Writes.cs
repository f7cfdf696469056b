using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence.GrainState;
using Orleans;
using Orleans.Storage;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Coalesced writes: at most one write in flight per activation; turns that finish meanwhile join the next one, and each
/// caller is answered when the write holding its turn is done. A failed write breaks the activation: its callers and
/// every caller still waiting get the exception, the activation deactivates, and the next call loads what storage has.
/// </summary>
public abstract partial class DurableGrain<TState>
{
    private string? _etag;
    private bool _recordExists;
    private WriteBatch? _open;     // turns waiting for the next write
    private WriteBatch? _inFlight; // turns in the write in flight
    private bool _writerRunning;
    private bool _acksUnwritten;    // an acknowledged message was removed after the last envelope was taken
    private bool _ackWriteScheduled;
    private Exception? _broken;
    private long _writes;

    /// <summary>Writes this activation completed (for diagnostics and tests).</summary>
    protected long CompletedWrites => _writes;

    /// <summary>Joins the turn that just ran (the caller holds the lock) to the next write; completes when it is durable.</summary>
    private Task JoinNextWrite()
    {
        var batch = _open ??= new WriteBatch();
        batch.Turns++;
        EnsureWriter();
        return batch.Done.Task;
    }

    /// <summary>Completes when every turn run so far is durable.</summary>
    private Task DurableAfterTurnsSoFar() =>
        _open is { Turns: > 0 } open ? open.Done.Task : _inFlight is { Turns: > 0 } inFlight ? inFlight.Done.Task : Task.CompletedTask;

    /// <summary>
    /// Asks for a write that no caller waits on: deliveries acknowledged, attempts counted, a message parked. It joins
    /// the next write, or starts one.
    /// </summary>
    private void RequestHousekeepingWrite()
    {
        if (_broken is not null)
        {
            return;
        }
        _open ??= new WriteBatch();
        EnsureWriter();
    }

    /// <summary>
    /// An acknowledged message left the outbox: the next write removes it from storage too, and if none comes within
    /// <see cref="DurableOptions.AckWriteDelay"/> a housekeeping write does. The delay is real time on purpose: it only
    /// spreads writes, it never decides anything, and a test's manual clock must not hold a write back.
    /// </summary>
    private void RequestAckWrite()
    {
        _acksUnwritten = true;
        if (_options.AckWriteDelay <= TimeSpan.Zero)
        {
            RequestHousekeepingWrite();
            return;
        }
        if (_ackWriteScheduled || _broken is not null)
        {
            return;
        }
        _ackWriteScheduled = true;
        _ = WriteAcksLaterAsync();
    }

    private async Task WriteAcksLaterAsync()
    {
        try
        {
            await Task.Delay(_options.AckWriteDelay, TimeProvider.System, _lifetime.Token);
        }
        catch (OperationCanceledException)
        {
            return; // deactivating: StopAsync writes what is left
        }
        finally
        {
            _ackWriteScheduled = false;
        }
        if (_acksUnwritten)
        {
            RequestHousekeepingWrite();
        }
    }

    /// <summary>
    /// When a grain that is done leaves (<see cref="DeactivateWhenDelivered"/>): writes acknowledgements no write has
    /// carried yet, so no sweep wakes it to send them again. Any other deactivation (idle collection, a silo stopping)
    /// leaves them: they are at most <see cref="DurableOptions.AckWriteDelay"/> old, and a re-send is deduped; a silo
    /// that stops does not write on its way out.
    /// </summary>
    private async Task WriteUnwrittenAcksAsync(CancellationToken cancellationToken)
    {
        if (!_leavingDelivered || !_acksUnwritten || _broken is not null)
        {
            return;
        }
        RequestHousekeepingWrite();
        if (_open is { } batch)
        {
            try
            {
                await batch.Done.Task.WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                DurableLog.AcksNotWritten(_logger, _id, ex);
            }
        }
    }

    private void EnsureWriter()
    {
        if (_writerRunning || _broken is not null)
        {
            return;
        }
        _writerRunning = true;
        _ = WriteLoopAsync();
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (_open is not null && _broken is null)
            {
                WriteBatch batch;
                DurableEnvelope envelope;
                await _turnLock.WaitAsync();
                try
                {
                    if (_broken is not null || _open is null)
                    {
                        return;
                    }
                    batch = _open;
                    _open = null;
                    envelope = TakeEnvelope();
                    batch.Callbacks = _doneCallbacks;
                    _doneCallbacks = [];
                    _inFlight = batch;
                }
                finally
                {
                    _turnLock.Release();
                }
                try
                {
                    var state = new GrainState<DurableEnvelope>(envelope, _etag) { RecordExists = _recordExists };
                    await _storage.WriteStateAsync(StateName, _id, state);
                    _etag = state.ETag;
                    _recordExists = true;
                    _durableNextSeq = Math.Max(_durableNextSeq, envelope.NextSeq);
                    _writes++;
                    _inFlight = null;
                    batch.Done.TrySetResult();
                    KickDelivery();
                    RunCallbacks(batch.Callbacks);
                    DeactivateIfDelivered();
                }
                catch (Exception ex)
                {
                    _inFlight = null;
                    Break(ex, batch);
                }
            }
        }
        finally
        {
            _writerRunning = false;
        }
    }

    /// <summary>
    /// The envelope to write now (the caller holds the lock, so no turn is half done): copies of everything, the index
    /// writes moved out of the grain, and this grain's <c>wakeup</c>/<c>outbox</c> rows moved to their new times.
    /// </summary>
    private DurableEnvelope TakeEnvelope()
    {
        _acksUnwritten = false; // this envelope holds the outbox as it is now
        var state = _cleanState ??= SerializeState();
        var now = _clock.GetUtcNow();
        _applied.Trim(now);
        var envelope = new DurableEnvelope
        {
            State = state,
            Outbox = [.. _outbox.Values.Select(e => e.Copy())],
            NextSeq = _nextSeq,
            Applied = _applied.ToList(),
            WakeUps = new Dictionary<string, WakeUpEntry>(_wakeUps, StringComparer.Ordinal),
            IndexWrites = _pendingIndex,
        };
        _pendingIndex = [];
        DateTimeOffset? earliestWakeUp = _wakeUps.Count == 0 ? null : _wakeUps.Values.Min(w => w.Due);
        DateTimeOffset? earliestAttempt = _outbox.Count == 0 ? null : _outbox.Values.Min(e => e.NextAttemptAt);
        _wakeUpRow = MoveRow(envelope.IndexWrites, DurableIndexRows.WakeUpKind, _wakeUpRow, earliestWakeUp);
        _outboxRow = MoveRow(envelope.IndexWrites, DurableIndexRows.OutboxKind, _outboxRow, earliestAttempt);
        envelope.WakeUpRow = _wakeUpRow;
        envelope.OutboxRow = _outboxRow;
        return envelope;
    }

    private string? MoveRow(List<IndexWrite> writes, string kind, string? current, DateTimeOffset? due)
    {
        var wanted = due is { } d ? DurableIndexRows.Key(d, _id) : null;
        if (wanted == current)
        {
            return current;
        }
        if (current is not null)
        {
            writes.Add(IndexWrite.Delete(kind, DurableIndexRows.Partition, current));
        }
        if (due is { } at)
        {
            writes.Add(IndexWrite.Upsert(DurableIndexRows.Row(kind, at, _id)));
        }
        return wanted;
    }

    /// <summary>
    /// A write failed: nothing not yet durable can be trusted (a conflict means another activation wrote; any other
    /// failure may or may not have committed). Every waiting caller gets the exception, the activation stops delivering
    /// and deactivates, and turns still queued are refused; the next call reloads from storage.
    /// </summary>
    private void Break(Exception error, WriteBatch batch)
    {
        _broken = error;
        if (error is InconsistentStateException)
        {
            DurableLog.WriteConflict(_logger, _id, error);
        }
        else
        {
            // The store's own exception, with its stack, is logged here; callers get its text (below).
            DurableLog.WriteFailed(_logger, _id, error is GrainStorageException { StoreException: { } store } ? store : error);
        }
        // Callers see a conflict as is (G1); any other failure as a DurableWriteException, whatever the store threw.
        var answer = error is InconsistentStateException
            ? error
            : new DurableWriteException($"Grain {_id}: the state write holding this call failed; it may or may not have been applied. Retry: the next call reloads the state.", error);
        foreach (var failed in new[] { batch, _open })
        {
            if (failed is not null)
            {
                failed.Done.TrySetException(answer);
                _ = failed.Done.Task.Exception; // a housekeeping write has no caller to observe it
            }
        }
        _open = null;
        Stop();
        DeactivateOnIdle();
    }

    private void RunCallbacks(List<Action> callbacks)
    {
        foreach (var callback in callbacks)
        {
            try
            {
                callback();
            }
            catch (Exception ex)
            {
                DurableLog.CallbackFailed(_logger, _id, ex);
            }
        }
    }

    private void ThrowIfBroken()
    {
        switch (_broken)
        {
            case null:
                return;
            case InconsistentStateException conflict:
                throw new InconsistentStateException(
                    $"Grain {_id}: another activation wrote this grain's state; this one is deactivating and refuses calls. Retry: the next call reaches the current state.",
                    conflict.StoredEtag, conflict.CurrentEtag, conflict);
            default:
                throw new DurableWriteException($"Grain {_id}: a state write failed; this activation is deactivating and refuses calls. Retry: the next call reloads the state.", _broken);
        }
    }

    private sealed class WriteBatch
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Turns { get; set; }

        /// <summary>Run once this write is durable (<see cref="AfterWrite"/>).</summary>
        public List<Action> Callbacks { get; set; } = [];
    }
}

/// <summary>
/// A durable grain's state write failed for a reason other than a conflict; the call may be retried. It crosses silos
/// with its cause: the inner exception is always a <see cref="GrainStorageException"/> (or none), whatever is passed
/// in — a store's own exception (Npgsql's), which Orleans cannot serialize, is converted to one carrying its text.
/// </summary>
[GenerateSerializer]
public sealed class DurableWriteException : Exception
{
    public DurableWriteException()
    {
    }

    public DurableWriteException(string message)
        : base(message)
    {
    }

    public DurableWriteException(string message, Exception innerException)
        : base(message, GrainStorageException.Portable(innerException))
    {
    }
}
