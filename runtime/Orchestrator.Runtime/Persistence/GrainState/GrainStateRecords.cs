using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>Which row a grain state lives in: Orleans' grain type and key, and the state's name.</summary>
internal readonly record struct GrainStateKey(string Type, string Key, string Name);

/// <summary>A stored grain state: its version (the ETag) and JSON.</summary>
internal sealed record StoredGrainState(long Version, string Json);

/// <summary>
/// One grain's write in a group commit: the new JSON (null clears: deletes the row), the version it was read at
/// (null: the grain saw no row, so this inserts), and the index-row changes to apply with it (last write per key).
/// </summary>
internal sealed record GrainStateWrite(GrainStateKey Grain, long? ExpectedVersion, string? Json, IReadOnlyList<IndexWrite> Indexes);

/// <summary>
/// How one write of a batch ended: applied (with the new version; 0 after a clear) or refused because the stored
/// version differs (with the stored version, null when there is no row).
/// </summary>
internal readonly record struct GrainWriteOutcome(bool Applied, long? Version)
{
    public static GrainWriteOutcome Committed(long version) => new(true, version);

    public static GrainWriteOutcome Conflict(long? stored) => new(false, stored);
}

/// <summary>
/// Grain state rows of one store. <see cref="CommitAsync"/> applies a batch in one transaction: each write only at
/// its expected version, each refused write alone (nothing of it, index rows included, is applied; the others
/// are), and throws, with nothing applied, when the transaction fails.
/// </summary>
internal interface IGrainStateStore
{
    /// <summary>Transactions the store can usefully run at once (1 for SQLite's single writer).</summary>
    int MaxConcurrency { get; }

    /// <summary>The stored states of many grains in one query; a grain with no row is absent from the answer.</summary>
    Task<IReadOnlyDictionary<GrainStateKey, StoredGrainState>> ReadManyAsync(IReadOnlyList<GrainStateKey> grains, CancellationToken cancellationToken);

    /// <summary>The outcome of each write, in order. The keys of one batch are distinct.</summary>
    Task<GrainWriteOutcome[]> CommitAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken);
}
