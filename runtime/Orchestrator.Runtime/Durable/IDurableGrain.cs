using Orleans;

namespace Orchestrator.Runtime.Durable;

/// <summary>What every <see cref="DurableGrain{TState}"/> answers besides its own interfaces.</summary>
public interface IDurableGrain : IGrain
{
    /// <summary>
    /// Activates the grain if it is not active (loading its state, outbox and wake-ups) and makes it deliver what its
    /// outbox holds and fire the wake-ups that are due. Not a turn: it changes nothing by itself. The sweeper calls it
    /// for grains whose silo died with work pending.
    /// </summary>
    Task Wake();
}
