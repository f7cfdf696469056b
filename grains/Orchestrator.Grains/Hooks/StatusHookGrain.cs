using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Requests;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Hooks;

/// <summary>
/// Posts one subject's status events to its hook, one at a time, head of the queue first, in revision order.
/// <para>
/// Turns only decide: a publish queues an event, a replay puts parked ones back, and each asks for delivery once its
/// write is durable. The POSTs go out from a loop of the grain's own, <b>outside</b> the turn lock (StatusHookGrain.Delivery.cs),
/// so that reads (the hook view) and new publishes are answered while a slow receiver holds a POST; the loop records
/// what happened in a turn of its own. One loop per activation keeps one POST in flight per subject, and a stale
/// duplicate activation cannot record anything (its write is refused, G1). Delivery is at least once: a crash or a lost
/// write after a successful POST posts again (receivers dedupe on <c>X-Orchestrator-Delivery</c>). While events are
/// pending the <c>retry</c> wake-up stays armed, so the sweeper re-drives a subject whose silo died.
/// </para>
/// <para>
/// A failed attempt is retried after an exponential back-off with equal jitter, on the <c>retry</c> wake-up (so on the
/// orchestrator's clock, and without a reminder row), until <see cref="StatusHookOptions.MaxRetryDuration"/> has passed
/// since the event's first attempt; the event is then parked with its last error, an index row lists it, and the next
/// revision goes out. Replay puts parked events back at the head of the queue, with a fresh retry window and attempt
/// count (so the back-off starts again at <see cref="StatusHookOptions.InitialBackoff"/>).
/// </para>
/// <para>
/// The loop records its outcomes after at most <see cref="MaxAttemptsPerTurn"/> attempts, or once it has run longer
/// than one <see cref="StatusHookOptions.AttemptTimeout"/>, and then goes on: what a backlog delivered is written about
/// every two attempt timeouts at the latest.
/// </para>
/// <para>
/// When the subject's task instance is deleted, <see cref="Purge"/> drops its pending and parked events undelivered,
/// deletes its parked index rows and its wake-up, and leaves a tombstone that ignores later publishes (and any outcome
/// a POST under way brings back).
/// </para>
/// </summary>
[GrainType("statushook")]
public sealed partial class StatusHookGrain : RequestGrain<StatusHookState>, IStatusHookGrain
{
    /// <summary>Delivered events kept in state for the view.</summary>
    internal const int DeliveredKept = 20;

    /// <summary>Attempts the delivery loop makes before it records them (and goes on).</summary>
    private const int MaxAttemptsPerTurn = 20;

    /// <summary>The one wake-up of the subject: the head's back-off, or a backstop while the loop delivers.</summary>
    private const string RetryWakeUp = "retry";

    private readonly StatusHookSender _sender;
    private readonly ILogger _logger;

    /// <summary>Both services are optional: a silo without <see cref="StatusHookRegistration.AddStatusHooks"/> delivers with defaults.</summary>
    public StatusHookGrain(StatusHookSender? sender = null, ILogger<StatusHookGrain>? logger = null)
    {
        _sender = sender ?? StatusHookSender.Default;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public Task Publish(HookEvent hookEvent)
    {
        ArgumentNullException.ThrowIfNull(hookEvent);
        if (State.PurgedAt is not null || hookEvent.Revision <= State.LastRevision)
        {
            return Task.CompletedTask; // the subject is gone, or a resend, or an event overtaken by a later one
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
        if (State.Pending[0].NextAttemptAt is not { } next || next <= now)
        {
            DeliverAfterThisTurn(dueNow: false); // else the head waits for its back-off, and this event behind it
        }
        return Task.CompletedTask;
    }

    public Task Replay(HookReplay command) => Once(command.RequestId, () => ReplayNow(command));

    private Task ReplayNow(HookReplay command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Answered(command.RequestId))
        {
            return Task.CompletedTask;
        }
        if (State.PurgedAt is not null)
        {
            Answer(RequestResult.Fail(command.RequestId, 404, $"'{GrainKey}' was purged: {State.PurgeReason}"));
            return Task.CompletedTask;
        }
        List<HookDelivery> chosen = command.Revision is { } revision ? [.. State.Parked.Where(p => p.Revision == revision)] : [.. State.Parked];
        if (command.Revision is { } missing && chosen.Count == 0)
        {
            Answer(RequestResult.Fail(command.RequestId, 404, $"'{GrainKey}' has no parked event with revision {missing}."));
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
        Answer(RequestResult.Done(command.RequestId, chosen.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (chosen.Count > 0)
        {
            Log.Replayed(_logger, GrainKey, chosen.Count, command.By);
            // Not posted in this turn: the caller waits for the replay to be recorded, not for the receiver.
            DeliverAfterThisTurn(dueNow: true);
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
        DisarmAllWakeUps();
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

    /// <summary>The retry wake-up: the head's back-off is over (or the loop's backstop): deliver, the head first.</summary>
    protected override Task OnWakeUpAsync(string name)
    {
        if (name != RetryWakeUp || State.PurgedAt is not null)
        {
            return Task.CompletedTask; // not ours, or a tombstone
        }
        State.ArmedReminder = null;
        if (State.Pending.Count > 0)
        {
            DeliverAfterThisTurn(dueNow: true);
        }
        return Task.CompletedTask;
    }

    public ValueTask<HookView?> GetAsync() => ValueTask.FromResult(State.LastRevision == 0 || State.PurgedAt is not null ? null : new HookView(
        GrainKey,
        State.Url,
        State.LastRevision,
        [.. State.Pending.Select(d => d.ToView())],
        [.. State.Parked.Select(d => d.ToView())],
        [.. State.Delivered.Select(d => d.ToView())]));

    public ValueTask<RequestResult?> GetRequestResultAsync(string requestId) => FindRequestAsync(requestId);

    private void MarkDelivered(HookDelivery head, DateTimeOffset now)
    {
        State.Pending.Remove(head);
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
        State.Pending.Remove(head);
        head.ParkedAt = now;
        head.NextAttemptAt = null;
        InsertInOrder(State.Parked, head);
        WriteIndex(new IndexRow(IndexKinds.HookParked, "", IndexKinds.HookParkedKey(GrainKey, head.Revision), 0, DomainJson.Serialize(
            new HookParkedIndexData(GrainKey, head.Revision, head.Url, head.DeliveryId, head.Attempts, head.QueuedAt, now, head.LastError))));
        Log.Parked(_logger, GrainKey, head.Revision, head.Attempts, head.LastError);
    }

    private static void InsertInOrder(List<HookDelivery> list, HookDelivery delivery)
    {
        var at = list.FindIndex(d => d.Revision > delivery.Revision);
        list.Insert(at < 0 ? list.Count : at, delivery);
    }
}
