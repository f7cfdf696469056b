using System.Text.Json;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orchestrator.Runtime.Tests.Durable.Infrastructure;

/// <summary>
/// A stand-in for the storage engineer's <c>OrchestratorGrainStorage</c> until it merges, kept small: one JSON row
/// per grain with a version as its ETag (a stale ETag is <see cref="InconsistentStateException"/>), index rows applied
/// atomically with the state when it is an <see cref="IIndexedState"/>, and an <see cref="IIndexReader"/> over them. One
/// instance is the "database" every silo of a test cluster shares. Tests can hold or fail a grain's writes
/// (<see cref="BeforeWrite"/>) and write behind a grain's back (<see cref="WriteBehind"/>) to simulate another activation.
/// </summary>
public sealed class InMemoryGrainStorage : IGrainStorage, IIndexReader
{
    private readonly Lock _sync = new();
    private readonly Dictionary<GrainId, (string Json, long Version)> _rows = [];
    private readonly SortedDictionary<(string Kind, string Partition, string Key), IndexRow> _index = new(new OrdinalKeyComparer());
    private readonly Dictionary<GrainId, int> _writeCounts = [];

    /// <summary>Runs before a grain's n-th write (1-based) is applied; may wait or throw.</summary>
    public Func<GrainId, int, Task>? BeforeWrite { get; set; }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_sync)
        {
            if (_rows.TryGetValue(grainId, out var row))
            {
                grainState.State = JsonSerializer.Deserialize<T>(row.Json, DurableJson.Options)!;
                grainState.ETag = row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
                grainState.RecordExists = true;
            }
            else
            {
                grainState.ETag = null;
                grainState.RecordExists = false;
            }
        }
        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        int n;
        lock (_sync)
        {
            n = _writeCounts[grainId] = _writeCounts.GetValueOrDefault(grainId) + 1;
        }
        if (BeforeWrite is { } before)
        {
            await before(grainId, n);
        }
        var indexed = grainState.State as IIndexedState;
        var pending = indexed?.PendingIndexWrites.ToList() ?? [];
        var json = JsonSerializer.Serialize(grainState.State, DurableJson.Options);
        long version;
        lock (_sync)
        {
            var current = _rows.TryGetValue(grainId, out var row) ? row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            if (current != grainState.ETag)
            {
                throw new InconsistentStateException($"Grain {grainId}: stored version {current ?? "none"}, the writer read {grainState.ETag ?? "none"}.", current, grainState.ETag);
            }
            version = (row.Version) + 1;
            _rows[grainId] = (json, version);
            foreach (var write in IndexWrite.LastWins(pending))
            {
                if (write.Row is { } upsert)
                {
                    _index[(write.Kind, write.Partition, write.Key)] = upsert;
                }
                else
                {
                    _index.Remove((write.Kind, write.Partition, write.Key));
                }
            }
            Writes.Add((grainId, version));
        }
        grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        indexed?.IndexWritesCommitted(pending.Count);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_sync)
        {
            _rows.Remove(grainId);
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>Every applied write, in order: (grain, new version).</summary>
    public List<(GrainId Grain, long Version)> Writes { get; } = [];

    public int WritesOf(GrainId grain)
    {
        lock (_sync)
        {
            return Writes.Count(w => w.Grain == grain);
        }
    }

    /// <summary>The stored envelope of a durable grain, or null.</summary>
    public DurableEnvelope? Envelope(GrainId grain)
    {
        lock (_sync)
        {
            return _rows.TryGetValue(grain, out var row) ? JsonSerializer.Deserialize<DurableEnvelope>(row.Json, DurableJson.Options) : null;
        }
    }

    /// <summary>The stored domain state of a durable grain, or null.</summary>
    public TState? State<TState>(GrainId grain)
        where TState : class =>
        Envelope(grain) is { State.IsObject: true } envelope ? envelope.State.Deserialize<TState>(DurableJson.Options) : null;

    /// <summary>Another writer's write: changes the stored domain state and moves the version on, as a second activation would.</summary>
    public void WriteBehind<TState>(GrainId grain, Action<TState> change)
        where TState : class
    {
        lock (_sync)
        {
            var (json, version) = _rows[grain];
            var envelope = JsonSerializer.Deserialize<DurableEnvelope>(json, DurableJson.Options)!;
            var state = envelope.State.Deserialize<TState>(DurableJson.Options)!;
            change(state);
            envelope.State = RawJson.Serialize(state, DurableJson.Options);
            _rows[grain] = (JsonSerializer.Serialize(envelope, DurableJson.Options), version + 1);
        }
    }

    public IReadOnlyList<IndexRow> Rows(string kind)
    {
        lock (_sync)
        {
            return [.. _index.Values.Where(r => r.Kind == kind)];
        }
    }

    public Task<IReadOnlyList<IndexRow>> QueryAsync(IndexQuery query, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            IReadOnlyList<IndexRow> rows = [.. _index.Values
                .Where(r => r.Kind == query.Kind && query.Partitions.Contains(r.Partition)
                    && (query.Statuses is null || query.Statuses.Contains(r.Status))
                    && (query.AfterKey is null || (query.Descending ? -1 : 1) * string.CompareOrdinal(r.Key, query.AfterKey) > 0))
                .OrderBy(r => query.Descending ? "" : r.Key, StringComparer.Ordinal)
                .ThenByDescending(r => query.Descending ? r.Key : "", StringComparer.Ordinal)
                .Take(query.Limit)
                .Select(r => query.KeysOnly ? r with { Data = null } : r)];
            return Task.FromResult(rows);
        }
    }

    public Task<IReadOnlyList<IndexRow>> GetAsync(string kind, string partition, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            IReadOnlyList<IndexRow> rows = [.. keys.Select(k => _index.GetValueOrDefault((kind, partition, k))).OfType<IndexRow>()];
            return Task.FromResult(rows);
        }
    }

    public Task<IReadOnlyList<IndexRow>> ScanKindAsync(string kind, (string Partition, string Key)? after, int limit, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            IReadOnlyList<IndexRow> rows = [.. _index.Values
                .Where(r => r.Kind == kind && (after is not { } a || string.CompareOrdinal(r.Partition, a.Partition) > 0
                    || (r.Partition == a.Partition && string.CompareOrdinal(r.Key, a.Key) > 0)))
                .Take(limit)
                .Select(r => r with { Data = null })];
            return Task.FromResult(rows);
        }
    }

    public Task<IReadOnlyDictionary<int, long>> CountByStatusAsync(string kind, string partition, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            IReadOnlyDictionary<int, long> counts = _index.Values.Where(r => r.Kind == kind && r.Partition == partition)
                .GroupBy(r => r.Status).ToDictionary(g => g.Key, g => (long)g.Count());
            return Task.FromResult(counts);
        }
    }

    public Task<long> CountKindAsync(string kind, CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            return Task.FromResult((long)_index.Values.Count(r => r.Kind == kind));
        }
    }

    private sealed class OrdinalKeyComparer : IComparer<(string Kind, string Partition, string Key)>
    {
        public int Compare((string Kind, string Partition, string Key) x, (string Kind, string Partition, string Key) y)
        {
            var c = string.CompareOrdinal(x.Kind, y.Kind);
            c = c != 0 ? c : string.CompareOrdinal(x.Partition, y.Partition);
            return c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
        }
    }
}
