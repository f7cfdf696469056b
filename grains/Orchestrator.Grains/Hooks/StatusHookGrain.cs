using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Hooks;

/// <summary>
/// Posts one subject's status events to its hook, one at a time, head of the queue first, in revision order.
/// <para>
/// The POST runs inside the grain's turn (the Publish turn, or the retry wake-up's), and the outcome commits with
/// that turn. That makes delivery at least once without any extra machinery: a crash or a lost commit after a
/// successful POST re-runs the turn and posts again (receivers dedupe on <c>X-Orchestrator-Delivery</c>), and no two
/// POSTs of one subject ever overlap (G1). The price is that a slow receiver holds this grain's turns for up to
/// <see cref="StatusHookOptions.AttemptTimeout"/> per attempt; it holds nothing else, as each subject is its own grain.
/// Work outside the turn (a background sender reporting back by message) would free the turn but need its own
/// fencing against a shard move to keep one POST in flight per subject.
/// </para>
/// <para>
/// A failed attempt is retried after an exponential back-off with equal jitter, on a durable wake-up (so on the
/// orchestrator's clock, and without a reminder row), until <see cref="StatusHookOptions.MaxRetryDuration"/> has passed since the event's first attempt; the
/// event is then parked with its last error, an index row lists it, and the next revision goes out. Replay puts
/// parked events back at the head of the queue, with a fresh retry window and attempt count (so the back-off starts
/// again at <see cref="StatusHookOptions.InitialBackoff"/>).
/// </para>
/// <para>
/// One turn makes at most <see cref="MaxAttemptsPerTurn"/> attempts and stops starting new ones once it has run
/// longer than one <see cref="StatusHookOptions.AttemptTimeout"/>; the queue then goes on in a new turn, on a wake-up
/// due at once. That bounds how long a backlog holds the grain (and the commit of what it delivered) to about two
/// attempt timeouts.
/// </para>
/// <para>
/// When the subject's task instance is deleted, <see cref="Purge"/> drops its pending and parked events undelivered,
/// deletes its parked index rows and its wake-up, and leaves a tombstone that ignores later publishes.
/// </para>
/// </summary>
[GrainType("statushook")]
public sealed partial class StatusHookGrain : DurableGrain<StatusHookState>, IStatusHookGrain
{
    /// <summary>Delivered events kept in state for the view.</summary>
    internal const int DeliveredKept = 20;

    /// <summary>Attempts one turn makes before it yields (the rest go out in the next turn, right after).</summary>
    private const int MaxAttemptsPerTurn = 20;

    /// <summary>The one wake-up the head of the queue waits for (back-off, or a new turn for the rest of a backlog).</summary>
    private const string RetryWakeUp = "retry";

    private readonly StatusHookSender _sender;
    private readonly ILogger _logger;

    /// <summary>Both services are optional: a silo without <see cref="StatusHookRegistration.AddStatusHooks"/> delivers with defaults.</summary>
    public StatusHookGrain(StatusHookSender? sender = null, ILogger<StatusHookGrain>? logger = null)
    {
        _sender = sender ?? StatusHookSender.Default;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async Task Publish(HookEvent hookEvent)
    {
        ArgumentNullException.ThrowIfNull(hookEvent);
        if (State.PurgedAt is not null || hookEvent.Revision <= State.LastRevision)
        {
            return; // the subject is gone, or a resend, or an event overtaken by a later one
        }
        var now = Clock.GetUtcNow();
        State.LastRevision = hookEvent.Revision;
        State.Url = hookEvent.Hook.Url;
        State.Pending.Add(new HookDelivery
        {
            Revision = hookEvent.Revision,
            // Derived, not random: a turn re-run after a crash posts the same event under the same id.
            DeliveryId = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes($"{GrainKey}#{hookEvent.Revision}")))[..32],
            Url = hookEvent.Hook.Url,
            Secret = hookEvent.Hook.Secret,
            Body = hookEvent.Body,
            QueuedAt = now,
        });
        if (State.ArmedReminder is null)
        {
            await DeliverAsync(dueNow: false);
        }
    }

    public Task Replay(HookReplay command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (State.Requests.Find(command.RequestId) is not null)
        {
            return Task.CompletedTask;
        }
        if (State.PurgedAt is not null)
        {
            State.Requests.Add(RequestResult.Fail(command.RequestId, 404, $"'{GrainKey}' was purged: {State.PurgeReason}"));
            return Task.CompletedTask;
        }
        List<HookDelivery> chosen = command.Revision is { } revision ? [.. State.Parked.Where(p => p.Revision == revision)] : [.. State.Parked];
        if (command.Revision is { } missing && chosen.Count == 0)
        {
            State.Requests.Add(RequestResult.Fail(command.RequestId, 404, $"'{GrainKey}' has no parked event with revision {missing}."));
            return Task.CompletedTask;
        }
        foreach (var delivery in chosen)
        {
            State.Parked.Remove(delivery);
            DeleteIndex(IndexKinds.HookParked, "", IndexKinds.HookParkedKey(GrainKey, delivery.Revision));
            delivery.ParkedAt = null;
            delivery.FirstAttemptAt = null;
            delivery.NextAttemptAt = null;
            // A fresh window: the back-off starts again at the initial delay (TotalAttempts keeps the count).
            delivery.Attempts = 0;
            InsertInOrder(State.Pending, delivery);
        }
        State.Requests.Add(RequestResult.Done(command.RequestId, chosen.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (chosen.Count > 0)
        {
            Log.Replayed(_logger, GrainKey, chosen.Count, command.By);
            // Not posted in this turn: the caller waits for the replay to be recorded, not for the receiver.
            ArmRetry(TimeSpan.Zero);
        }
        return Task.CompletedTask;
    }

    public Task Purge(HookPurge command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (State.PurgedAt is not null)
        {
            return Task.CompletedTask;
        }
        foreach (var parked in State.Parked)
        {
            DeleteIndex(IndexKinds.HookParked, "", IndexKinds.HookParkedKey(GrainKey, parked.Revision));
        }
        // Every wake-up, not only the armed one: nothing of this subject should fire again.
        foreach (var name in WakeUps.Keys)
        {
            DisarmWakeUp(name);
        }
        Log.Purged(_logger, GrainKey, State.Pending.Count, State.Parked.Count, command.Reason);
        // Pending events are dropped, not delivered: the instance they describe is gone. LastRevision stays so that a
        // late publish is recognised; PurgedAt drops any publish at all.
        State = new StatusHookState
        {
            LastRevision = State.LastRevision,
            ReminderSeq = State.ReminderSeq,
            Requests = State.Requests,
            PurgedAt = Clock.GetUtcNow(),
            PurgeReason = command.Reason,
        };
        return Task.CompletedTask;
    }

    /// <summary>The retry wake-up: the head is due (or a backlog goes on in this new turn).</summary>
    protected override async Task OnWakeUpAsync(string name)
    {
        if (name != RetryWakeUp || State.ArmedReminder is null || State.PurgedAt is not null)
        {
            return; // not ours, or disarmed by a purge
        }
        State.ArmedReminder = null;
        // The wake-up is the head's due time: try the head now.
        await DeliverAsync(dueNow: true);
    }

    public ValueTask<HookView?> GetAsync() => ValueTask.FromResult(State.LastRevision == 0 || State.PurgedAt is not null ? null : new HookView(
        GrainKey,
        State.Url,
        State.LastRevision,
        [.. State.Pending.Select(d => d.ToView())],
        [.. State.Parked.Select(d => d.ToView())],
        [.. State.Delivered.Select(d => d.ToView())]));

    public ValueTask<RequestResult?> GetRequestResultAsync(string requestId) => ValueTask.FromResult(State.Requests.Find(requestId));

    /// <summary>
    /// Posts from the head of the queue until it is empty, an attempt fails, or the turn has made enough attempts or
    /// run longer than one attempt timeout (the rest then goes on in a new turn).
    /// </summary>
    private async Task DeliverAsync(bool dueNow)
    {
        var turnStart = Clock.GetUtcNow();
        for (var attempts = 0; State.Pending.Count > 0; attempts++)
        {
            var head = State.Pending[0];
            var now = Clock.GetUtcNow();
            if (!dueNow && head.NextAttemptAt is { } next && next > now)
            {
                ArmRetry(next - now);
                return;
            }
            dueNow = false;
            if (attempts == MaxAttemptsPerTurn || (attempts > 0 && now - turnStart > _sender.Options.AttemptTimeout))
            {
                // A wake-up due now: the next turn picks up the head (it is due) and this one's work is written first.
                ArmRetry(TimeSpan.Zero);
                return;
            }
            head.FirstAttemptAt ??= now;
            head.Attempts++;
            head.TotalAttempts++;
            var result = await _sender.SendAsync(new HookPost(head.Url, head.Secret, GrainKey, head.Revision, head.DeliveryId, head.Body), Clock, CancellationToken.None);
            now = Clock.GetUtcNow();
            if (result.Delivered)
            {
                MarkDelivered(head, now);
                continue;
            }
            head.LastError = result.Error;
            var deadline = head.FirstAttemptAt.Value + _sender.Options.MaxRetryDuration;
            if (now >= deadline)
            {
                Park(head, now);
                continue;
            }
            var retryAt = now + HookBackoff.Next(head.Attempts, _sender.Options);
            // One last attempt at the deadline rather than a back-off that overshoots it.
            head.NextAttemptAt = retryAt < deadline ? retryAt : deadline;
            Log.AttemptFailed(_logger, GrainKey, head.Revision, head.Attempts, head.NextAttemptAt.Value, result.Error);
            ArmRetry(head.NextAttemptAt.Value - now);
            return;
        }
    }

    private void MarkDelivered(HookDelivery head, DateTimeOffset now)
    {
        State.Pending.RemoveAt(0);
        head.DeliveredAt = now;
        head.NextAttemptAt = null;
        head.Body = "";
        head.Secret = null;
        State.Delivered.Add(head);
        if (State.Delivered.Count > DeliveredKept)
        {
            State.Delivered.RemoveAt(0);
        }
        Log.Delivered(_logger, GrainKey, head.Revision, head.Attempts);
    }

    private void Park(HookDelivery head, DateTimeOffset now)
    {
        State.Pending.RemoveAt(0);
        head.ParkedAt = now;
        head.NextAttemptAt = null;
        InsertInOrder(State.Parked, head);
        WriteIndex(new IndexRow(IndexKinds.HookParked, "", IndexKinds.HookParkedKey(GrainKey, head.Revision), 0, DomainJson.Serialize(
            new HookParkedIndexData(GrainKey, head.Revision, head.Url, head.DeliveryId, head.Attempts, head.QueuedAt, now, head.LastError))));
        Log.Parked(_logger, GrainKey, head.Revision, head.Attempts, head.LastError);
    }

    /// <summary>Arms (or moves) the retry wake-up <paramref name="due"/> from now; no reminder row.</summary>
    private void ArmRetry(TimeSpan due)
    {
        State.ReminderSeq++;
        State.ArmedReminder = RetryWakeUp;
        ArmWakeUp(RetryWakeUp, SafeTime.After(Clock.GetUtcNow(), due));
    }

    private static void InsertInOrder(List<HookDelivery> list, HookDelivery delivery)
    {
        var at = list.FindIndex(d => d.Revision > delivery.Revision);
        list.Insert(at < 0 ? list.Count : at, delivery);
    }
}
