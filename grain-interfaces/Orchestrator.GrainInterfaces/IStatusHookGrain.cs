using Orleans.Concurrency;

namespace Orchestrator.GrainInterfaces;

/// <summary>Where a subject's status changes are posted. Secret: HMAC-SHA256 key; null signs with the silo's default hook secret.</summary>
[GenerateSerializer]
public sealed record StatusHook(string Url, string? Secret);

/// <summary>
/// Delivers the status changes of one subject (a task instance or a job) to its hook, key: the subject
/// (<see cref="HookSubjects"/>). Events go out one at a time in revision order, at least once, retried with exponential
/// back-off and jitter for a bounded time, then parked as failed; parked events can be replayed.
/// </summary>
public interface IStatusHookGrain : IGrainWithStringKey
{
    /// <summary>Queues an event. An event whose revision is not above the last queued one is a resend and is ignored.</summary>
    Task Publish(HookEvent hookEvent);

    /// <summary>Queues the parked events again (all of them, or one revision), in revision order.</summary>
    Task Replay(HookReplay command);

    /// <summary>
    /// Forgets the subject (its task instance was deleted): deletes its parked index rows, drops its pending and parked
    /// events undelivered, unregisters its reminders and keeps a tombstone. Later publishes and replays are ignored,
    /// and <see cref="GetAsync"/> answers null. Idempotent.
    /// </summary>
    Task Purge(HookPurge command);

    [ReadOnly]
    ValueTask<HookView?> GetAsync();

    [ReadOnly]
    ValueTask<RequestResult?> GetRequestResultAsync(string requestId);
}

/// <summary>One status change: the JSON body to post (already in its final shape) and its revision, which grows per subject.</summary>
[GenerateSerializer]
public sealed record HookEvent(StatusHook Hook, long Revision, string Body, DateTimeOffset At);

/// <summary>Revision null replays every parked event.</summary>
[GenerateSerializer]
public sealed record HookReplay(string RequestId, long? Revision, string By);

/// <summary>Why a subject's hook is purged (kept in its tombstone and logged).</summary>
[GenerateSerializer]
public sealed record HookPurge(string Reason);

/// <summary>Keys of <see cref="IStatusHookGrain"/>.</summary>
public static class HookSubjects
{
    public static string Instance(string instanceId) => "instance:" + instanceId;
}

/// <summary>A subject's hook and where each of its events stands.</summary>
[GenerateSerializer]
public sealed record HookView(string Subject, string Url, long LastRevision, IReadOnlyList<HookDeliveryView> Pending, IReadOnlyList<HookDeliveryView> Parked, IReadOnlyList<HookDeliveryView> Delivered);

/// <summary>
/// One event's delivery. Attempts: in the current retry window (a replay starts it again at 0); TotalAttempts: all of
/// them, across replays. LastError: the status code and reason phrase, or the kind of connection error, never the
/// receiver's response body.
/// </summary>
[GenerateSerializer]
public sealed record HookDeliveryView(long Revision, int Attempts, DateTimeOffset QueuedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, string? LastError, int TotalAttempts);
