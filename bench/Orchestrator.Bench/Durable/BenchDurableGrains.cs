using Orchestrator.Runtime.Durable;
using Orleans;
using Orleans.Concurrency;

namespace Orchestrator.Bench.Durable;

/// <summary>A durable counter: every <see cref="Add"/> is one turn answered after the write that holds it.</summary>
public interface IDurableCounterGrain : IGrainWithStringKey
{
    Task Add(int amount);

    [ReadOnly]
    ValueTask<int> Total();
}

public sealed class DurableCounterState
{
    public int Total { get; set; }
}

[GrainType("bench-counter")]
public sealed class DurableCounterGrain : DurableGrain<DurableCounterState>, IDurableCounterGrain
{
    public Task Add(int amount)
    {
        State.Total += amount;
        return Task.CompletedTask;
    }

    public ValueTask<int> Total() => ValueTask.FromResult(State.Total);
}

/// <summary>A grain with no state: what an Orleans call costs when nothing is persisted.</summary>
public interface IEchoGrain : IGrainWithIntegerKey
{
    Task<int> Echo(int value);
}

[GrainType("bench-echo")]
public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<int> Echo(int value) => Task.FromResult(value);
}

/// <summary>Counts parked messages: the bench sends none that can fail, so any is reported as a failure.</summary>
internal sealed class CountingDeadLetterSink : IDeadLetterSink
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public Task<long> ParkAsync(DeadLetter letter, CancellationToken cancellationToken = default) =>
        Task.FromResult(Interlocked.Increment(ref _count));
}
