using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Tests.TestGrains;

public interface ICounterGrain : IGrainWithStringKey
{
    Task Add(int amount);

    Task<long> GetValue();

    Task<CounterState> GetState();
}

public sealed class CounterState
{
    public long Value { get; set; }

    /// <summary>The committed version each turn started from: gap-free 0, 1, 2… when every turn commits once.</summary>
    public List<long> Versions { get; set; } = [];

    public int Activations { get; set; }

    public Dictionary<string, string> Nested { get; set; } = [];
}

[GrainType("counter")]
public sealed class CounterGrain : Grain<CounterState>, ICounterGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        State.Activations++;
        return Task.CompletedTask;
    }

    public Task Add(int amount)
    {
        State.Value += amount;
        State.Versions.Add(Version);
        State.Nested[$"v{Version}"] = $"+{amount}";
        return Task.CompletedTask;
    }

    public Task<long> GetValue() => Task.FromResult(State.Value);

    public Task<CounterState> GetState() => Task.FromResult(State);
}
