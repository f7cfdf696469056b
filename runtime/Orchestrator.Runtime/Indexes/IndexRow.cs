namespace Orchestrator.Runtime.Indexes;

/// <summary>
/// A row grains write in the same commit as their state, so that lists and searches (targets of a step by status,
/// a host's open assignments) never scan grain state. Rows are keyed by (<see cref="Kind"/>, <see cref="Partition"/>,
/// <see cref="Key"/>); <see cref="Status"/> is a small integer to filter and count by; <see cref="Data"/> is JSON text.
/// </summary>
public sealed record IndexRow(string Kind, string Partition, string Key, int Status, string? Data);

/// <summary>
/// Rows of one kind in one or more partitions, in key order (ordinal), optionally only some statuses, after a key
/// (keyset paging).
/// </summary>
public sealed record IndexQuery(string Kind, IReadOnlyList<string> Partitions)
{
    public IReadOnlyList<int>? Statuses { get; init; }

    /// <summary>Only rows with a key greater than this (ordinal; less, when <see cref="Descending"/>); null starts at the first.</summary>
    public string? AfterKey { get; init; }

    /// <summary>
    /// Rows in descending key order (the primary key read backwards), <see cref="AfterKey"/> then the last key of the
    /// previous page from the top. One partition only: a query of several is refused.
    /// </summary>
    public bool Descending { get; init; }

    public int Limit { get; init; } = 100;

    /// <summary>Skip <see cref="IndexRow.Data"/> (returned as null): for scans that need only keys and statuses.</summary>
    public bool KeysOnly { get; init; }
}

/// <summary>Reads committed index rows.</summary>
public interface IIndexReader
{
    Task<IReadOnlyList<IndexRow>> QueryAsync(IndexQuery query, CancellationToken cancellationToken = default);

    /// <summary>The rows with these keys in one partition; missing keys are absent.</summary>
    Task<IReadOnlyList<IndexRow>> GetAsync(string kind, string partition, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keys and statuses (no data) of every row of a kind, across all partitions, in (partition, key) order, after
    /// <paramref name="after"/>: a scan whose cost follows the rows there are, not the partitions one asks about.
    /// </summary>
    Task<IReadOnlyList<IndexRow>> ScanKindAsync(string kind, (string Partition, string Key)? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>How many rows of the partition have each status.</summary>
    Task<IReadOnlyDictionary<int, long>> CountByStatusAsync(string kind, string partition, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many rows of a kind there are, across all partitions (one range of the primary key; for gauges read every
    /// few seconds, e.g. the open assignments of every host).
    /// </summary>
    Task<long> CountKindAsync(string kind, CancellationToken cancellationToken = default);
}
