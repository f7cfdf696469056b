using System.Globalization;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Runtime.Tests.TestGrains;

/// <summary>One index change: a row written, or deleted when <see cref="Status"/> is null.</summary>
public sealed record IndexOp(string Kind, string Partition, string Key, int? Status, string? Data = null)
{
    public static IndexOp Write(string kind, string partition, string key, int status, string? data = null) => new(kind, partition, key, status, data);

    public static IndexOp Delete(string kind, string partition, string key) => new(kind, partition, key, null);
}

public interface IIndexGrain : IGrainWithStringKey
{
    /// <summary>Applies the changes in order, in one turn.</summary>
    Task Apply(List<IndexOp> ops);

    /// <summary>Applies the changes, then throws: none of them may be kept.</summary>
    Task ApplyThenFail(List<IndexOp> ops);

    /// <summary>Writes <paramref name="count"/> rows k000000… with status i % <paramref name="statuses"/>, in one turn.</summary>
    Task WriteMany(string kind, string partition, int count, int statuses);

    /// <summary>A turn that waits until the test opens <see cref="TurnGate"/>.</summary>
    Task Hold();

    Task<List<IndexRow>> Query(IndexQuery query);

    /// <summary>A read method that tries to write a row: it must throw.</summary>
    Task<bool> WriteFromRead();

    Task<IndexGrainState> GetState();
}

public sealed class IndexGrainState
{
    public int Turns { get; set; }

    /// <summary>Per <see cref="IIndexGrain.Apply"/> turn, the committed status of its first key as the turn began ("-": no row).</summary>
    public List<string> SeenAtStart { get; set; } = [];
}

/// <summary>Lets a test hold a grain's turn open: <see cref="Entered"/> completes when the turn waits, <see cref="Open"/> lets it go.</summary>
public sealed class TurnGate
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => _entered.Task;

    public void Open() => _open.TrySetResult();

    public Task PassAsync()
    {
        _entered.TrySetResult();
        return _open.Task;
    }
}

[GrainType("index")]
public sealed class IndexGrain(FailureSwitch failures, TurnGate gate) : Grain<IndexGrainState>, IIndexGrain
{
    public async Task Apply(List<IndexOp> ops)
    {
        State.Turns++;
        if (ops.Count > 0)
        {
            var first = ops[0];
            var seen = await Indexes.GetAsync(first.Kind, first.Partition, [first.Key]);
            State.SeenAtStart.Add(seen.Count == 0 ? "-" : seen[0].Status.ToString(CultureInfo.InvariantCulture));
        }
        foreach (var op in ops)
        {
            if (op.Status is { } status)
            {
                WriteIndex(new IndexRow(op.Kind, op.Partition, op.Key, status, op.Data));
            }
            else
            {
                DeleteIndex(op.Kind, op.Partition, op.Key);
            }
        }
    }

    public async Task ApplyThenFail(List<IndexOp> ops)
    {
        failures.Attempted("index");
        await Apply(ops);
        throw new InvalidOperationException("failing on purpose after writing index rows");
    }

    public Task WriteMany(string kind, string partition, int count, int statuses)
    {
        State.Turns++;
        for (var i = 0; i < count; i++)
        {
            WriteIndex(new IndexRow(kind, partition, $"k{i:D6}", i % statuses, $$"""{"i":{{i}}}"""));
        }
        return Task.CompletedTask;
    }

    public async Task Hold()
    {
        State.Turns++;
        await gate.PassAsync();
    }

    public async Task<List<IndexRow>> Query(IndexQuery query) => [.. await Indexes.QueryAsync(query)];

    public Task<bool> WriteFromRead()
    {
        WriteIndex(new IndexRow("t", "p", "from-read", 1, null));
        return Task.FromResult(true);
    }

    public Task<IndexGrainState> GetState() => Task.FromResult(State);
}
