using Orchestrator.Runtime.Audit;
using Orchestrator.Runtime.Blobs;

namespace Orchestrator.Runtime.Retention;

/// <summary>
/// The queries the retention pass needs beyond the stores' own interfaces: the oldest audit entries and their deletion
/// by id range, uploaded files by age and their deletion, and the log days there are. One implementation per store
/// (<see cref="RetentionStores.On"/>). Every delete is bounded (an id range, a list of files, a row limit) so the pass
/// runs as many small transactions, never one that holds the database for long.
/// </summary>
public interface IRetentionStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> audit entries recorded before <paramref name="before"/> with an id in
    /// [<paramref name="firstId"/>, <paramref name="lastId"/>], lowest id (oldest) first.
    /// </summary>
    Task<IReadOnlyList<AuditEntry>> AuditBeforeAsync(DateTimeOffset before, long firstId, long lastId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the audit entries with an id in [<paramref name="firstId"/>, <paramref name="lastId"/>] recorded before
    /// <paramref name="before"/>; returns how many. Idempotent: a repeat deletes nothing.
    /// </summary>
    Task<int> DeleteAuditAsync(long firstId, long lastId, DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> files stored before <paramref name="before"/>, in hash order after <paramref name="afterSha256"/>.</summary>
    Task<IReadOnlyList<BlobInfo>> BlobsCreatedBeforeAsync(DateTimeOffset before, string? afterSha256, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the named files if they were still stored before <paramref name="before"/> (a file uploaded again since
    /// is younger and stays); returns how many were deleted.
    /// </summary>
    Task<int> DeleteBlobsAsync(IReadOnlyCollection<string> sha256s, DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>The UTC days before <paramref name="day"/> that still hold log chunks (PostgreSQL: day partitions), oldest first.</summary>
    Task<IReadOnlyList<DateOnly>> LogDaysBeforeAsync(DateOnly day, CancellationToken cancellationToken = default);

    /// <summary>
    /// SQLite: deletes up to <paramref name="limit"/> log chunks of days before <paramref name="day"/>, so that dropping a
    /// day is many short write transactions rather than one; returns how many. PostgreSQL drops day partitions whole
    /// (<c>ILogStore.DropBeforeAsync</c>) and returns 0 here.
    /// </summary>
    Task<int> TrimLogsBeforeAsync(DateOnly day, int limit, CancellationToken cancellationToken = default);
}
