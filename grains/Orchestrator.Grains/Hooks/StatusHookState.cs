using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Hooks;

/// <summary>State of one subject's hook: the queue in revision order, the parked events and the last delivered ones.</summary>
public sealed class StatusHookState : Requests.IRequestState
{
    /// <summary>The hook URL of the last event queued.</summary>
    public string Url { get; set; } = "";

    /// <summary>The highest revision ever queued: a publish at or below it is a resend.</summary>
    public long LastRevision { get; set; }

    /// <summary>Events still to deliver, in ascending revision; the head is the one being tried.</summary>
    public List<HookDelivery> Pending { get; set; } = [];

    /// <summary>Events that ran out of retries, in ascending revision, until replayed.</summary>
    public List<HookDelivery> Parked { get; set; } = [];

    /// <summary>The last <see cref="StatusHookGrain.DeliveredKept"/> delivered events, bodies dropped.</summary>
    public List<HookDelivery> Delivered { get; set; } = [];

    /// <summary>
    /// The retry wake-up the head waits for (<c>retry</c>), or null when none is armed. <see cref="ReminderSeq"/> counts
    /// the armings (kept so that older states read; a wake-up re-armed for the same instant fires once).
    /// </summary>
    public string? ArmedReminder { get; set; }

    public long ReminderSeq { get; set; }

    /// <summary>When the subject was purged (its instance deleted): from then on the state is a tombstone and publishes are dropped.</summary>
    public DateTimeOffset? PurgedAt { get; set; }

    public string? PurgeReason { get; set; }

    public RequestLog Requests { get; set; } = new();
}

/// <summary>One event and where its delivery stands.</summary>
public sealed class HookDelivery
{
    public long Revision { get; set; }

    /// <summary>Sent as <c>X-Orchestrator-Delivery</c>; the same on every attempt and replay of this event.</summary>
    public string DeliveryId { get; set; } = "";

    public string Url { get; set; } = "";

    public string? Secret { get; set; }

    public string Body { get; set; } = "";

    public DateTimeOffset QueuedAt { get; set; }

    /// <summary>Attempts in the current retry window; the back-off grows with it, and a replay resets it to 0.</summary>
    public int Attempts { get; set; }

    /// <summary>Every attempt of this event, across replays.</summary>
    public int TotalAttempts { get; set; }

    /// <summary>Start of the current retry window (the first attempt, or the first after a replay).</summary>
    public DateTimeOffset? FirstAttemptAt { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public DateTimeOffset? ParkedAt { get; set; }

    /// <summary>The last failed attempt's status code and reason phrase, or its connection error; never a response body.</summary>
    public string? LastError { get; set; }

    // Max: states written before TotalAttempts existed count only the current window.
    public HookDeliveryView ToView() => new(Revision, Attempts, QueuedAt, NextAttemptAt, DeliveredAt, LastError, Math.Max(TotalAttempts, Attempts));
}
