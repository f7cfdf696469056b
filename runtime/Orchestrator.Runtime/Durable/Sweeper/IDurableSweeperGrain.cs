using Orleans;

namespace Orchestrator.Runtime.Durable;

/// <summary>The cluster's one sweeper (key 0): wakes durable grains whose wake-ups or outbox messages are overdue.</summary>
public interface IDurableSweeperGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the sweeper (each silo calls it at start; its reminder keeps it active after that).</summary>
    Task Ping();

    /// <summary>Sweeps once now; returns how many grains it woke.</summary>
    Task<int> SweepNow();
}
