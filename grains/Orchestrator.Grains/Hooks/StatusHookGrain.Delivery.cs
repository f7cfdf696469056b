using Orchestrator.Grains.Common;

namespace Orchestrator.Grains.Hooks;

/// <summary>
/// The delivery loop: POSTs outside the turn lock, outcomes recorded in turns of the grain's own. A turn that wants
/// delivery arms the <c>retry</c> wake-up as a backstop and kicks the loop once its write is durable; the loop posts the
/// due head of the queue and what follows it (as far as <see cref="MaxAttemptsPerTurn"/> or one attempt timeout), then
/// records the outcomes in one turn, which moves the wake-up to the head's back-off or goes on delivering.
/// </summary>
public sealed partial class StatusHookGrain
{
    private Task? _loop;
    private bool _kicked;
    private bool _kickedDueNow;

    /// <summary>
    /// How long the backstop waits while the loop delivers: longer than a batch can take (two attempt timeouts), so it
    /// only fires when the loop is gone (its silo died) and then drives delivery again.
    /// </summary>
    private TimeSpan DeliveryBackstop => _sender.Options.AttemptTimeout * 2 + TimeSpan.FromMinutes(1);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A loop that was under way when the last activation went: go on where its last record left off.
        if (State.PurgedAt is null && State.Pending.Count > 0 && (State.Pending[0].NextAttemptAt is not { } next || next <= Clock.GetUtcNow()))
        {
            Kick(dueNow: false);
        }
        return Task.CompletedTask;
    }

    /// <summary>Delivery starts once this turn is durable; <paramref name="dueNow"/>: the head is tried even if its back-off is not over.</summary>
    private void DeliverAfterThisTurn(bool dueNow)
    {
        ArmRetryAt(SafeTime.After(Clock.GetUtcNow(), DeliveryBackstop));
        AfterWrite(() => Kick(dueNow));
    }

    private void ArmRetryAt(DateTimeOffset due)
    {
        State.ReminderSeq++;
        State.ArmedReminder = RetryWakeUp;
        ArmWakeUp(RetryWakeUp, due);
    }

    private void Kick(bool dueNow)
    {
        _kicked = true;
        _kickedDueNow |= dueNow;
        if (_loop is null || _loop.IsCompleted)
        {
            _loop = DeliverLoopAsync();
        }
    }

    private async Task DeliverLoopAsync()
    {
        var token = ActivationStopping;
        try
        {
            while (_kicked && !token.IsCancellationRequested)
            {
                _kicked = false;
                var dueNow = _kickedDueNow;
                _kickedDueNow = false;
                var attempts = await PostBatchAsync(dueNow, token);
                var goOn = false;
                await TurnAsync(() =>
                {
                    goOn = Record(attempts);
                    return Task.CompletedTask;
                });
                _kicked |= goOn;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The activation is going away; the next one goes on from what was recorded.
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            Log.DeliveryStopped(_logger, GrainKey, ex); // the retry wake-up (the backstop) drives it again
        }
    }

    /// <summary>
    /// POSTs from the head of the queue until an attempt fails (and is not parked), the head waits for its back-off, the
    /// queue ends, or the batch made <see cref="MaxAttemptsPerTurn"/> attempts or ran longer than one attempt timeout.
    /// Changes nothing: the outcomes are recorded by <see cref="Record"/>.
    /// </summary>
    private async Task<List<HookAttempt>> PostBatchAsync(bool dueNow, CancellationToken token)
    {
        var attempts = new List<HookAttempt>();
        var batchStart = Clock.GetUtcNow();
        foreach (var head in State.Pending.ToList())
        {
            var now = Clock.GetUtcNow();
            if (State.PurgedAt is not null || (!dueNow && head.NextAttemptAt is { } next && next > now))
            {
                break;
            }
            dueNow = false;
            if (attempts.Count == MaxAttemptsPerTurn || (attempts.Count > 0 && now - batchStart > _sender.Options.AttemptTimeout))
            {
                break; // recorded now; the loop goes on after that write
            }
            var result = await _sender.SendAsync(new HookPost(head.Url, head.Secret, GrainKey, head.Revision, head.DeliveryId, head.Body), Clock, token);
            var finished = Clock.GetUtcNow();
            attempts.Add(new HookAttempt(head.Revision, now, finished, result));
            if (!result.Delivered && finished < (head.FirstAttemptAt ?? now) + _sender.Options.MaxRetryDuration)
            {
                break; // it waits for its back-off, and everything behind it
            }
        }
        return attempts;
    }

    /// <summary>
    /// Applies a batch's outcomes (to the events still pending: a purge or a delivery meanwhile leaves nothing to apply)
    /// and moves the wake-up: none when the queue is empty, the head's back-off, or the backstop while delivery goes on.
    /// True when the loop should go on at once.
    /// </summary>
    private bool Record(List<HookAttempt> attempts)
    {
        if (State.PurgedAt is not null)
        {
            return false;
        }
        foreach (var attempt in attempts)
        {
            if (State.Pending.Find(d => d.Revision == attempt.Revision) is not { } delivery)
            {
                continue;
            }
            delivery.FirstAttemptAt ??= attempt.StartedAt;
            delivery.Attempts++;
            delivery.TotalAttempts++;
            if (attempt.Result.Delivered)
            {
                HookOutcome("ok");
                MarkDelivered(delivery, attempt.FinishedAt);
                continue;
            }
            delivery.LastError = attempt.Result.Error;
            var deadline = delivery.FirstAttemptAt.Value + _sender.Options.MaxRetryDuration;
            if (attempt.FinishedAt >= deadline)
            {
                HookOutcome("parked");
                Park(delivery, attempt.FinishedAt);
                continue;
            }
            HookOutcome("failed");
            var retryAt = attempt.FinishedAt + HookBackoff.Next(delivery.Attempts, _sender.Options);
            // One last attempt at the deadline rather than a back-off that overshoots it.
            delivery.NextAttemptAt = retryAt < deadline ? retryAt : deadline;
            Log.AttemptFailed(_logger, GrainKey, delivery.Revision, delivery.Attempts, delivery.NextAttemptAt.Value, attempt.Result.Error);
        }
        if (State.Pending.Count == 0)
        {
            DisarmWakeUp(RetryWakeUp);
            State.ArmedReminder = null;
            return false;
        }
        var now = Clock.GetUtcNow();
        if (State.Pending[0].NextAttemptAt is { } next && next > now)
        {
            ArmRetryAt(next);
            return false;
        }
        ArmRetryAt(SafeTime.After(now, DeliveryBackstop));
        return true;
    }

    private static void HookOutcome(string outcome) =>
        Runtime.Telemetry.OrchestratorMetrics.HookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>One POST: which revision, when it started and ended (the orchestrator clock), and how it went.</summary>
    private sealed record HookAttempt(long Revision, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, HookAttemptResult Result);
}
