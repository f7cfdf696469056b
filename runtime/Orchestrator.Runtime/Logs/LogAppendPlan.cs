using System.Text;

namespace Orchestrator.Runtime.Logs;

/// <summary>A chunk as stored: its UTC day (the partition) and its size in UTF-8 bytes.</summary>
internal sealed record LogRow(DateOnly Day, string Stream, long Seq, DateTimeOffset At, string Channel, string Text, int Bytes);

/// <summary>A stream's counters as stored before an append.</summary>
internal sealed record LogStreamState(long Bytes, bool Truncated);

/// <summary>What an append adds to a stream's counters.</summary>
internal sealed record LogStreamChange(string Stream, long Bytes, long Chunks, bool Truncated, DateOnly LastDay);

/// <summary>
/// Decides, for both stores, what an append stores: each (stream, seq) once; per stream, chunks in seq order while
/// the stream's bytes stay within the cap; at the first chunk that would pass it, a marker on channel "system" at
/// that seq, and nothing after. The store reads the states and existing seqs under the stream's lock and writes the
/// plan in the same transaction.
/// </summary>
internal sealed class LogAppendPlan
{
    public const string SystemChannel = "system";

    private LogAppendPlan(List<LogRow> rows, List<LogStreamChange> streams, LogAppendResult result)
    {
        Rows = rows;
        Streams = streams;
        Result = result;
    }

    /// <summary>Rows to insert, markers included.</summary>
    public IReadOnlyList<LogRow> Rows { get; }

    /// <summary>Counter changes of the streams that got rows.</summary>
    public IReadOnlyList<LogStreamChange> Streams { get; }

    /// <summary>Stored + Duplicates + DroppedOverCap = the chunks given; a marker is not counted as stored.</summary>
    public LogAppendResult Result { get; }

    /// <summary>
    /// The UTC day of <paramref name="at"/>, kept a day away from the ends of .NET's calendar: Npgsql writes the
    /// first and last <see cref="DateOnly"/> as -infinity and infinity (no partition holds those), and the last day
    /// has no next day to bound its partition. The gateway refuses such times; a store must not fail on them.
    /// </summary>
    public static DateOnly DayOf(DateTimeOffset at)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        return day <= DateOnly.MinValue ? DateOnly.MinValue.AddDays(1) : day >= DateOnly.MaxValue ? DateOnly.MaxValue.AddDays(-1) : day;
    }

    public static string MarkerText(long cap) => $"[log truncated: cap of {cap} bytes reached]";

    /// <summary>
    /// Checks the chunks and cleans their text, stream and channel names (<see cref="LogText"/>), so that whatever a
    /// writer sends can be stored; returns the cleaned chunks and their streams, distinct and in ordinal order (the
    /// order to lock them in).
    /// </summary>
    public static (IReadOnlyList<LogChunk> Chunks, List<string> Streams) Prepare(IReadOnlyList<LogChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var cleaned = new List<LogChunk>(chunks.Count);
        foreach (var chunk in chunks)
        {
            ArgumentNullException.ThrowIfNull(chunk);
            ArgumentException.ThrowIfNullOrEmpty(chunk.Stream);
            ArgumentOutOfRangeException.ThrowIfNegative(chunk.Seq);
            ArgumentNullException.ThrowIfNull(chunk.Channel);
            ArgumentNullException.ThrowIfNull(chunk.Text);
            var (stream, channel, text) = (LogText.Clean(chunk.Stream), LogText.Clean(chunk.Channel), LogText.Clean(chunk.Text));
            cleaned.Add(ReferenceEquals(stream, chunk.Stream) && ReferenceEquals(channel, chunk.Channel) && ReferenceEquals(text, chunk.Text)
                ? chunk
                : chunk with { Stream = stream, Channel = channel, Text = text });
        }
        var streams = cleaned.Select(c => c.Stream).Distinct(StringComparer.Ordinal).ToList();
        streams.Sort(StringComparer.Ordinal);
        return (cleaned, streams);
    }

    /// <param name="chunks">The chunks to append, in any order.</param>
    /// <param name="states">The stored counters of each stream of the chunks (absent: a new stream).</param>
    /// <param name="existing">Which of the chunks' (stream, seq) are already stored.</param>
    /// <param name="cap">Most bytes a stream keeps.</param>
    public static LogAppendPlan Make(IReadOnlyList<LogChunk> chunks, IReadOnlyDictionary<string, LogStreamState> states, IReadOnlySet<(string Stream, long Seq)> existing, long cap)
    {
        var rows = new List<LogRow>();
        var changes = new List<LogStreamChange>();
        int stored = 0, duplicates = 0, dropped = 0;
        foreach (var stream in chunks.GroupBy(c => c.Stream, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var state = states.GetValueOrDefault(stream.Key) ?? new LogStreamState(0, false);
            var bytes = state.Bytes;
            var truncated = state.Truncated;
            var seen = new HashSet<long>();
            long addedBytes = 0, addedChunks = 0;
            var lastDay = DateOnly.MinValue;
            foreach (var chunk in stream.OrderBy(c => c.Seq))
            {
                if (existing.Contains((chunk.Stream, chunk.Seq)) || !seen.Add(chunk.Seq))
                {
                    duplicates++;
                    continue;
                }
                if (truncated)
                {
                    dropped++;
                    continue;
                }
                var day = DayOf(chunk.At);
                var size = Encoding.UTF8.GetByteCount(chunk.Text);
                lastDay = day > lastDay ? day : lastDay;
                addedChunks++;
                if (bytes + size > cap)
                {
                    var marker = MarkerText(cap);
                    rows.Add(new LogRow(day, chunk.Stream, chunk.Seq, chunk.At, SystemChannel, marker, Encoding.UTF8.GetByteCount(marker)));
                    truncated = true;
                    dropped++;
                    continue;
                }
                rows.Add(new LogRow(day, chunk.Stream, chunk.Seq, chunk.At, chunk.Channel, chunk.Text, size));
                bytes += size;
                addedBytes += size;
                stored++;
            }
            if (addedChunks > 0)
            {
                // The marker's own bytes are not counted: the cap bounds what writers send.
                changes.Add(new LogStreamChange(stream.Key, addedBytes, addedChunks, truncated, lastDay));
            }
        }
        return new LogAppendPlan(rows, changes, new LogAppendResult(stored, duplicates, dropped));
    }

    /// <summary>The page a read returns: <see cref="LogPage.NextSeq"/> is one past the last chunk, or where it started.</summary>
    public static LogPage Page(List<LogChunk> chunks, long fromSeq, LogStreamState? state) =>
        new(chunks, chunks.Count > 0 ? chunks[^1].Seq + 1 : fromSeq, state?.Truncated ?? false, state?.Bytes ?? 0);
}
