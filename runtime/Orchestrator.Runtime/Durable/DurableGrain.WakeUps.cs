using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Durable wake-ups: named due times kept in the envelope, one <c>wakeup</c> index row per grain (its earliest), and one
/// grain timer on the orchestrator clock while the activation lives. Each due wake-up fires as a turn of its own; one
/// whose turn keeps throwing is retried with back-off and parked after <see cref="DurableOptions.MaxDeliveryAttempts"/>.
/// No Orleans reminder is involved: the sweeper wakes grains whose activation is gone.
/// </summary>
public abstract partial class DurableGrain<TState>
{
    /// <summary>Grain timers take at most this long a due time; a later wake-up re-arms the timer when it ticks.</summary>
    private static readonly TimeSpan LongestTimerDelay = TimeSpan.FromDays(1);

    private Dictionary<string, WakeUpEntry> _wakeUps = new(StringComparer.Ordinal);
    private IGrainTimer? _wakeUpTimer;
    private DateTimeOffset? _timerDue;
    private string? _wakeUpRow;

    /// <summary>The armed wake-ups and their due times.</summary>
    protected IReadOnlyDictionary<string, DateTimeOffset> WakeUps => _wakeUps.ToDictionary(w => w.Key, w => w.Value.Due, StringComparer.Ordinal);

    /// <summary>
    /// Arms (or moves) wake-up <paramref name="name"/> for <paramref name="due"/>; <see cref="OnWakeUpAsync"/> runs as
    /// a turn at that time, once, on whichever silo holds the grain then. Kept with this turn's write.
    /// </summary>
    protected void ArmWakeUp(string name, DateTimeOffset due)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        RequireTurn(nameof(ArmWakeUp));
        _wakeUps[name] = new WakeUpEntry(due);
    }

    /// <summary>
    /// Arms (or moves) wake-up <paramref name="name"/> for <paramref name="due"/> without a timer in this activation:
    /// the sweeper fires it, once it is <see cref="DurableOptions.SweepGrace"/> overdue, whether the activation lives
    /// or not (its <see cref="IDurableGrain.Wake"/> fires what is due). For backstops far ahead on grains that stay
    /// active by the hundred thousand (a host per agent): a timer per activation costs the silo's timer queue, which
    /// walks all of its timers several times a second. Kept with this turn's write, like any wake-up.
    /// </summary>
    protected void ArmSweptWakeUp(string name, DateTimeOffset due)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        RequireTurn(nameof(ArmSweptWakeUp));
        _wakeUps[name] = new WakeUpEntry(due) { Swept = true };
    }

    /// <summary>Arms wake-up <paramref name="name"/> <paramref name="delay"/> from now (the orchestrator clock).</summary>
    protected void ArmWakeUp(string name, TimeSpan delay) => ArmWakeUp(name, _clock.GetUtcNow() + delay);

    /// <summary>Disarms a wake-up with this turn's write; false if it was not armed.</summary>
    protected bool DisarmWakeUp(string name)
    {
        RequireTurn(nameof(DisarmWakeUp));
        return _wakeUps.Remove(name);
    }

    /// <summary>Disarms every wake-up with this turn's write (a grain deleting itself: nothing of it should fire again).</summary>
    protected void DisarmAllWakeUps()
    {
        RequireTurn(nameof(DisarmAllWakeUps));
        _wakeUps.Clear();
    }

    /// <summary>A wake-up is due; runs as a turn (the wake-up is already disarmed in it). Re-arm it here to repeat.</summary>
    protected virtual Task OnWakeUpAsync(string name) => Task.CompletedTask;

    /// <summary>Points the timer at the earliest wake-up (or stops it); cheap when nothing changed.</summary>
    private void ScheduleWakeUpTimer(bool force = false)
    {
        if (_lifetime.IsCancellationRequested || _broken is not null || !_loaded)
        {
            return;
        }
        DateTimeOffset? next = NextTimedWakeUp();
        if (next == _timerDue && !force)
        {
            return;
        }
        _timerDue = next;
        if (next is not { } due)
        {
            _wakeUpTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        var delay = due - _clock.GetUtcNow();
        delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > LongestTimerDelay ? LongestTimerDelay : delay;
        if (_wakeUpTimer is null)
        {
            _wakeUpTimer = this.RegisterGrainTimer(FireDueWakeUpsAsync, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { Interleave = true });
        }
        else
        {
            _wakeUpTimer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>When the timer should fire: the earliest wake-up, leaving out swept ones until they are due (then the sweeper woke the grain).</summary>
    private DateTimeOffset? NextTimedWakeUp()
    {
        DateTimeOffset? next = null;
        var now = _clock.GetUtcNow();
        foreach (var wakeUp in _wakeUps.Values)
        {
            if ((!wakeUp.Swept || wakeUp.Due <= now) && (next is null || wakeUp.Due < next))
            {
                next = wakeUp.Due;
            }
        }
        return next;
    }

    /// <summary>The timer's callback: fires each due wake-up as a turn of its own, earliest first.</summary>
    private async Task FireDueWakeUpsAsync(CancellationToken cancellationToken)
    {
        _timerDue = null;
        try
        {
            while (!_lifetime.IsCancellationRequested && _broken is null)
            {
                var now = _clock.GetUtcNow();
                var due = _wakeUps.Where(w => w.Value.Due <= now).OrderBy(w => w.Value.Due).ThenBy(w => w.Key, StringComparer.Ordinal)
                    .Select(w => w.Key).FirstOrDefault();
                if (due is null)
                {
                    break;
                }
                await FireAsync(due);
            }
        }
        catch (Exception ex) when (_broken is not null || _lifetime.IsCancellationRequested)
        {
            DurableLog.WakeUpAbandoned(_logger, _id, ex); // the write failed: the next activation fires it again
        }
        finally
        {
            ScheduleWakeUpTimer(force: true);
        }
    }

    private async Task FireAsync(string name)
    {
        Task durable;
        await _turnLock.WaitAsync();
        try
        {
            ThrowIfBroken();
            if (!_wakeUps.TryGetValue(name, out var armed) || armed.Due > _clock.GetUtcNow())
            {
                return; // a turn moved or disarmed it meanwhile
            }
            try
            {
                await RunTurnAsync(() =>
                {
                    _wakeUps.Remove(name);
                    return OnWakeUpAsync(name);
                });
            }
            catch (Exception ex)
            {
                // Rolled back: the wake-up is armed as it was. Count the failure and wait, or park it.
                await OnWakeUpFailedAsync(name, armed, ex);
            }
            durable = JoinNextWrite();
        }
        finally
        {
            _turnLock.Release();
        }
        await durable;
    }

    private async Task OnWakeUpFailedAsync(string name, WakeUpEntry armed, Exception failure)
    {
        var now = _clock.GetUtcNow();
        var attempts = armed.Attempts + 1;
        var failingSince = armed.FailingSince ?? armed.Due;
        if (!DeliveryFailures.ShouldPark(failure, attempts, failingSince, now, _options))
        {
            _wakeUps[name] = armed with
            {
                Swept = false, // its retries wait on the timer, not on the next sweep
                FailingSince = failingSince,
                Due = now + Backoff.After(attempts, _options.RetryBackoffBase, _options.RetryBackoffMax, Random.Shared.NextDouble()),
                Attempts = attempts,
                LastError = Describe(failure),
            };
            DurableLog.WakeUpFailed(_logger, _id, name, attempts, failure);
            return;
        }
        var self = _id.ToString();
        var letter = new DeadLetter(self, self, "", nameof(OnWakeUpAsync), "[]", $"wakeup:{name}:{armed.Due.UtcTicks}", Describe(failure), attempts, armed.Due, now)
        {
            WakeUp = name,
        };
        long id;
        try
        {
            id = await ServiceProvider.GetRequiredService<IDeadLetterSink>().ParkAsync(letter, _lifetime.Token);
            Telemetry.OrchestratorMetrics.DeadLetters.Add(1, new KeyValuePair<string, object?>("method", "(wake-up)"));
        }
        catch (Exception ex) when (!_lifetime.IsCancellationRequested)
        {
            _wakeUps[name] = armed with { Due = now + _options.RetryBackoffMax, Attempts = attempts, LastError = Describe(failure) };
            DurableLog.ParkFailed(_logger, _id, name, self, ex);
            return;
        }
        DurableLog.WakeUpParked(_logger, _id, name, attempts, id, failure);
        _wakeUps.Remove(name);
        if (this is IDeadLetterObserver)
        {
            Notify(self, new DeadLetterNotice(id, nameof(OnWakeUpAsync), Describe(failure), attempts, now) { Reminder = name });
        }
    }
}
