using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Runtime.Persistence;

/// <summary>
/// A grain state that carries index-row changes to commit with it (ARCHITECTURE §4, "Storage provider"): the grain
/// storage provider applies <see cref="PendingIndexWrites"/> in the same transaction as the state and, once that
/// transaction committed, calls <see cref="IndexWritesCommitted"/> with how many of them it applied. Writes added
/// while a write is in flight stay pending for the next one; a write that fails leaves all of them pending.
/// </summary>
public interface IIndexedState
{
    /// <summary>The changes not yet committed, oldest first (the last write of a key wins).</summary>
    IReadOnlyList<IndexWrite> PendingIndexWrites { get; }

    /// <summary>Drops the first <paramref name="count"/> pending writes: they are committed.</summary>
    void IndexWritesCommitted(int count);
}
