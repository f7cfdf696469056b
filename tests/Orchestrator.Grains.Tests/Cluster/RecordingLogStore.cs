using System.Collections.Concurrent;
using Orchestrator.Runtime.Logs;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>The log store of the grain test clusters: no output is written by them; it records which streams grains delete.</summary>
public sealed class RecordingLogStore : ILogStore
{
    private readonly ConcurrentQueue<string> _deleted = new();

    /// <summary>The stream prefixes deleted, in order.</summary>
    public IReadOnlyList<string> Deleted => [.. _deleted];

    public Task<LogAppendResult> AppendAsync(IReadOnlyList<LogChunk> chunks, CancellationToken cancellationToken = default) =>
        Task.FromResult(new LogAppendResult(chunks.Count, 0, 0));

    public Task<LogPage> ReadAsync(string stream, long fromSeq, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult(new LogPage([], fromSeq, false, 0));

    public Task<LogPage> TailAsync(string stream, int chunks, CancellationToken cancellationToken = default) =>
        Task.FromResult(new LogPage([], 0, false, 0));

    public Task DropBeforeAsync(DateOnly day, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<long> DeleteStreamsAsync(string streamPrefix, CancellationToken cancellationToken = default)
    {
        _deleted.Enqueue(streamPrefix);
        return Task.FromResult(0L);
    }
}
