namespace Orchestrator.Runtime.Logs;

/// <summary>
/// A piece of output of one stream (one attempt of one host target). <see cref="Seq"/> counts from 0 per stream; a
/// chunk is stored once per (stream, seq), so writers resend freely. <see cref="At"/> is the writer's clock and picks
/// the day partition; a resent chunk carries the same value.
/// </summary>
public sealed record LogChunk(string Stream, long Seq, DateTimeOffset At, string Channel, string Text);

/// <summary>How an append went: chunks newly stored, and whether the stream is now over its size cap.</summary>
public sealed record LogAppendResult(int Stored, int Duplicates, int DroppedOverCap);

/// <summary>
/// A range of a stream's chunks in seq order. <see cref="NextSeq"/> is where the next read starts;
/// <see cref="Truncated"/> says the stream hit its cap (a marker chunk on channel "system" says where).
/// </summary>
public sealed record LogPage(IReadOnlyList<LogChunk> Chunks, long NextSeq, bool Truncated, long StoredBytes);

/// <summary>Append-only, chunked output logs, kept apart from grain state (partitioned by day on PostgreSQL).</summary>
public interface ILogStore
{
    /// <summary>Stores chunks; a (stream, seq) already stored is skipped, and past the cap only a marker is kept.</summary>
    Task<LogAppendResult> AppendAsync(IReadOnlyList<LogChunk> chunks, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> chunks with seq ≥ <paramref name="fromSeq"/>.</summary>
    Task<LogPage> ReadAsync(string stream, long fromSeq, int limit, CancellationToken cancellationToken = default);

    /// <summary>The last <paramref name="chunks"/> chunks of the stream.</summary>
    Task<LogPage> TailAsync(string stream, int chunks, CancellationToken cancellationToken = default);

    /// <summary>Removes every chunk written on days before <paramref name="day"/> (drops whole partitions on PostgreSQL).</summary>
    Task DropBeforeAsync(DateOnly day, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes every chunk and the counters of the streams whose name starts with <paramref name="streamPrefix"/>
    /// (ordinal), on any day; returns the chunks removed. Idempotent: a repeat finds nothing. Meant for streams no
    /// longer written to — a chunk appended while the streams are being deleted may survive.
    /// </summary>
    Task<long> DeleteStreamsAsync(string streamPrefix, CancellationToken cancellationToken = default);
}
