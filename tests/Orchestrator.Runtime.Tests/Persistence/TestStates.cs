using Orleans;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Persistence;

namespace Orchestrator.Runtime.Tests.Persistence;

public enum TestPhase
{
    Pending,
    Running,
    Succeeded,
}

/// <summary>A grain state with index rows to commit with it, as a durable grain's envelope will be.</summary>
public sealed class IndexedTestState : IIndexedState
{
    private readonly List<IndexWrite> _pending = [];

    public string Name { get; set; } = "";

    public int Count { get; set; }

    public TestPhase Phase { get; set; }

    public string? Optional { get; set; }

    public List<string> Notes { get; set; } = [];

    public Dictionary<string, string> Labels { get; set; } = [];

    public IReadOnlyList<IndexWrite> PendingIndexWrites => _pending;

    public void IndexWritesCommitted(int count) => _pending.RemoveRange(0, count);

    public IndexedTestState Write(string kind, string partition, string key, int status, string? data = null)
    {
        _pending.Add(IndexWrite.Upsert(new IndexRow(kind, partition, key, status, data)));
        return this;
    }

    public IndexedTestState Delete(string kind, string partition, string key)
    {
        _pending.Add(IndexWrite.Delete(kind, partition, key));
        return this;
    }
}

/// <summary>What Orleans' state bridge hands a storage provider.</summary>
public sealed class TestGrainState<T>(T state) : IGrainState<T>
{
    [System.Diagnostics.CodeAnalysis.AllowNull]
    public T State { get; set; } = state;

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }
}
