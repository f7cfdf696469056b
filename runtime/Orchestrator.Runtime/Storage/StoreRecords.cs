using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Storage;

/// <summary>A silo's row in the membership table.</summary>
public sealed record SiloRecord(string SiloId, string Name, string Address, long Generation, SiloStatus Status, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt);

/// <summary>Lifecycle of a silo in the membership table. A dead silo never becomes active again.</summary>
public enum SiloStatus : short
{
    Active = 1,
    ShuttingDown = 2,
    Dead = 3,
}

/// <summary>A versioned view of the membership table: the version grows with every status change.</summary>
public sealed record MembershipView(long Version, IReadOnlyList<SiloRecord> Silos);

/// <summary>A shard this silo holds, with the epoch its commits are fenced by.</summary>
public readonly record struct ShardLease(int Shard, long Epoch);

/// <summary>A shard lease row, for diagnostics and tests.</summary>
public sealed record ShardLeaseRow(int Shard, string? Owner, long Epoch, DateTimeOffset? ExpiresAt);

/// <summary>A grain's committed state.</summary>
internal sealed record GrainStateRecord(GrainId Grain, long Version, long Epoch, byte[]? State);

/// <summary>
/// Everything one or more consecutive turns of a grain change, committed in one transaction: the state after the
/// last turn, the messages they consumed, sent, the reminder changes and the index rows. The stored version moves
/// from <see cref="ExpectedVersion"/> to <see cref="ExpectedVersion"/> + <see cref="Turns"/>, one per turn.
/// </summary>
internal sealed record TurnCommit(
    GrainId Grain,
    int Shard,
    long Epoch,
    long ExpectedVersion,
    int Turns,
    byte[]? State,
    IReadOnlyList<long> ConsumedMessageIds,
    IReadOnlyList<OutgoingMessage> Outbox,
    IReadOnlyList<ReminderWrite> Reminders)
{
    /// <summary>Index rows to write or delete, one per key (the turns' last write), in ordinal key order.</summary>
    public IReadOnlyList<IndexWrite> Indexes { get; init; } = [];
}

/// <summary>How a turn commit ended.</summary>
internal enum CommitOutcome
{
    Committed,

    /// <summary>The grain's stored version moved on (another activation, or an earlier commit whose reply was lost).</summary>
    VersionConflict,

    /// <summary>This silo no longer holds the shard at the epoch the turn ran under.</summary>
    Fenced,

    /// <summary>A consumed message had already been applied: the turn is a duplicate and was discarded.</summary>
    AlreadyConsumed,

    /// <summary>The store could not be reached after retries: the turn may or may not have committed.</summary>
    Failed,
}

/// <summary>A message parked after it kept failing, with its last error.</summary>
public sealed record DeadLetter(long MessageId, GrainId Grain, string DedupeKey, int Attempts, string Error, string Payload, DateTimeOffset EnqueuedAt)
{
    /// <summary>When it was parked (on the cluster's clock); for messages parked before this was kept, when they last failed or were due.</summary>
    public DateTimeOffset ParkedAt { get; init; }
}

/// <summary>A failed attempt to apply a message: retry later, or park it.</summary>
internal sealed record MessageFailure(long MessageId, int Attempts, DateTimeOffset VisibleAt, string Error, bool Dead);
