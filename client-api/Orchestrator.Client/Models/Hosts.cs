namespace Orchestrator.Client;

/// <summary>One row of the host inventory.</summary>
public sealed record HostListItem(string Host, HostStatus Status, IReadOnlyDictionary<string, string> Labels, int Capacity, string Namespace = "default",
    HostOperation Operation = HostOperation.Active);

/// <summary>One host as its agent registered it: status, labels, capacity, session, last seen, and its revocation if any.</summary>
public sealed record HostInfo(string Host, HostStatus Status, IReadOnlyDictionary<string, string> Labels, int Capacity, string? SessionId, string? AgentVersion,
    DateTimeOffset? LastSeen, DateTimeOffset? RegisteredAt)
{
    /// <summary>When the host was revoked (its agent refused until restored); null when it is not.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Who revoked it.</summary>
    public string? RevokedBy { get; init; }

    /// <summary>The namespace its agent registered it in: only plans of that namespace reach it.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>What an admin lets the host do: active, paused, draining or drained (see <see cref="HostOperation"/>).</summary>
    public HostOperation Operation { get; init; } = HostOperation.Active;

    /// <summary>Who last paused, drained or resumed the host, and when.</summary>
    public string? OperationBy { get; init; }

    public DateTimeOffset? OperationAt { get; init; }

    /// <summary>When the host left the inventory for being offline too long (its history kept); null while it is in it.</summary>
    public DateTimeOffset? RemovedAt { get; init; }
}

/// <summary>An uploaded file: its SHA-256 (the name a file distribution step refers to) and size.</summary>
public sealed record FileUploaded(string Sha256, long Size, string Namespace = "default");

/// <summary>
/// Where a task instance's status hook stands: its URL (user information and query values shown as <c>***</c>), the last
/// revision, and the pending, parked and last delivered events.
/// </summary>
public sealed record HookStatus(string Subject, string Url, long LastRevision, IReadOnlyList<HookDelivery> Pending, IReadOnlyList<HookDelivery> Parked, IReadOnlyList<HookDelivery> Delivered);

public sealed record HookDelivery(long Revision, int Attempts, DateTimeOffset QueuedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, string? LastError, int TotalAttempts);

/// <summary>The reply to a hook replay: how many parked events were queued again.</summary>
public sealed record HookReplayed(string Id, string Subject, int Replayed);

/// <summary>A parked hook event of any subject.</summary>
public sealed record ParkedHookEvent(string Subject, long Revision, string Url, string DeliveryId, int Attempts, DateTimeOffset QueuedAt, DateTimeOffset ParkedAt, string? LastError);
