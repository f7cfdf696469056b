using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Storage;

/// <summary>
/// The runtime's only door to the database: one implementation per store (PostgreSQL, SQLite), both held to one
/// conformance suite. Lease and heartbeat times use the database's clock (PostgreSQL) or the process clock (SQLite,
/// single process); due times and message visibility use the runtime's injected clock, passed in as arguments.
/// </summary>
internal interface IRuntimeStore : IAsyncDisposable
{
    /// <summary>"postgres" or "sqlite".</summary>
    string Kind { get; }

    /// <summary>Creates or migrates the schema, and the shard rows on first start; fails if the shard count differs.</summary>
    Task MigrateAsync(int shardCount, CancellationToken cancellationToken);

    // Membership
    Task<long> JoinAsync(SiloRecord silo, CancellationToken cancellationToken);

    /// <summary>Refreshes the silo's heartbeat; false when the silo is no longer active (declared dead).</summary>
    Task<bool> HeartbeatAsync(string siloId, CancellationToken cancellationToken);

    Task<MembershipView> ReadMembershipAsync(CancellationToken cancellationToken);

    /// <summary>Marks active silos whose heartbeat is older than <paramref name="timeout"/> dead; returns how many.</summary>
    Task<int> DeclareDeadAsync(TimeSpan timeout, CancellationToken cancellationToken);

    Task SetSiloStatusAsync(string siloId, SiloStatus status, CancellationToken cancellationToken);

    /// <summary>Deletes dead silo rows older than <paramref name="age"/>, so they never block or clutter a view.</summary>
    Task<int> CleanupDeadSilosAsync(TimeSpan age, CancellationToken cancellationToken);

    // Shard leases
    /// <summary>Takes the shards that are free or whose lease expired; each acquisition bumps the epoch.</summary>
    Task<IReadOnlyList<ShardLease>> AcquireShardsAsync(string siloId, IReadOnlyCollection<int> shards, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Extends every lease the silo still holds and returns them; a missing shard was taken over.</summary>
    Task<IReadOnlyList<ShardLease>> RenewShardsAsync(string siloId, TimeSpan ttl, CancellationToken cancellationToken);

    Task ReleaseShardsAsync(string siloId, IReadOnlyCollection<ShardLease> shards, CancellationToken cancellationToken);

    Task<IReadOnlyList<ShardLeaseRow>> ReadLeasesAsync(CancellationToken cancellationToken);

    // Grains and messages
    Task<GrainStateRecord?> ReadGrainAsync(GrainId grain, CancellationToken cancellationToken);

    /// <summary>The committed state of many grains in one query; grains without state are absent.</summary>
    Task<IReadOnlyDictionary<GrainId, GrainStateRecord>> ReadGrainsAsync(IReadOnlyCollection<GrainId> grains, CancellationToken cancellationToken);

    /// <summary>Stores messages; a message whose dedupe key its target already has is ignored.</summary>
    Task EnqueueAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken);

    /// <summary>Pending, visible messages of the shards with an id above <paramref name="afterId"/>, in id order.</summary>
    Task<IReadOnlyList<InboxMessage>> FetchAsync(IReadOnlyCollection<int> shards, long afterId, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Commits turns; the outcome of each, in order. Turns are independent: one failing leaves others committed.</summary>
    Task<IReadOnlyList<CommitOutcome>> CommitAsync(string siloId, IReadOnlyList<TurnCommit> turns, CancellationToken cancellationToken);

    Task RecordFailureAsync(MessageFailure failure, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The parked messages of grains (of any type) whose key starts with <paramref name="keyPrefix"/>, oldest first:
    /// a task instance's own and its steps' and targets' (their keys start with the instance's).
    /// </summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string keyPrefix, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a parked message back in its inbox with a fresh attempt count, under a new id (so the owner's cursor sees
    /// it at once) and the same dedupe key; false if it is not parked.
    /// </summary>
    Task<bool> ReplayDeadLetterAsync(long messageId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<long> CountPendingAsync(IReadOnlyCollection<int> shards, CancellationToken cancellationToken);

    /// <summary>Forgets up to <paramref name="limit"/> dedupe keys older than <paramref name="retention"/>; returns how many.</summary>
    Task<int> PurgeDedupeKeysAsync(TimeSpan retention, int limit, CancellationToken cancellationToken);

    // Reminders
    Task<IReadOnlyList<StoredReminder>> FetchDueRemindersAsync(IReadOnlyCollection<int> shards, DateTimeOffset until, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Applies firings; returns how many applied (a firing whose reminder changed meanwhile is skipped) and the
    /// lowest id of the messages stored (0 if none).
    /// </summary>
    Task<(int Fired, long FirstMessageId)> FireRemindersAsync(string siloId, IReadOnlyList<ReminderFire> fires, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredReminder>> ListRemindersAsync(GrainId grain, CancellationToken cancellationToken);

    // Index rows (written by commits), logs and blobs: the same database, their own tables
    IIndexReader Indexes { get; }

    ILogStore Logs { get; }

    IBlobStore Blobs { get; }

    /// <summary>Calls <paramref name="wake"/> when another process may have stored messages (a hint only).</summary>
    Task ListenAsync(Action wake, CancellationToken cancellationToken);
}
