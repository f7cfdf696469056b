using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Tests.TestGrains;

/// <summary>Two grains bounce a ball between them; each hit is a durable one-way message sent at commit.</summary>
public interface IPingPongGrain : IGrainWithStringKey
{
    Task Hit(string partner, int remaining);

    Task<int> GetHits();
}

public sealed class PingPongState
{
    public int Hits { get; set; }
}

[GrainType("pingpong")]
public sealed class PingPongGrain : Grain<PingPongState>, IPingPongGrain
{
    public Task Hit(string partner, int remaining)
    {
        State.Hits++;
        if (remaining > 0)
        {
            return GrainFactory.GetGrain<IPingPongGrain>(partner).Hit(GrainKey, remaining - 1);
        }
        return Task.CompletedTask;
    }

    public Task<int> GetHits() => Task.FromResult(State.Hits);
}
