using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Messaging;

namespace Orchestrator.Runtime.Silos;

/// <summary>The activations of one silo: at most one per grain. Creating, posting and removing share one lock,
/// so a message never lands in a mailbox that is closing.</summary>
internal sealed class ActivationDirectory(SiloContext silo)
{
    private readonly Lock _sync = new();
    private readonly Dictionary<GrainId, Activation> _activations = [];

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _activations.Count;
            }
        }
    }

    /// <summary>Delivers to the grain's activation, creating it; false if the shard is not held here now.</summary>
    public bool IsActive(GrainId grain)
    {
        lock (_sync)
        {
            return _activations.ContainsKey(grain);
        }
    }

    /// <summary>Work items waiting in the grain's mailbox behind the running one (0 when it is not active here).</summary>
    public int QueuedWorkOf(GrainId grain)
    {
        lock (_sync)
        {
            return _activations.TryGetValue(grain, out var activation) ? activation.QueuedCount : 0;
        }
    }

    public bool Post(GrainClass grainClass, GrainId grain, int shard, WorkItem item, PreloadedState? preloaded = null)
    {
        lock (_sync)
        {
            if (!_activations.TryGetValue(grain, out var activation))
            {
                if (!silo.Shards.TryGetEpoch(shard, out var epoch))
                {
                    return false;
                }
                activation = new Activation(silo, grainClass, grain, shard, epoch, preloaded);
                _activations.Add(grain, activation);
            }
            return activation.TryPost(item);
        }
    }

    /// <summary>Removes an activation (if it is still the current one) and closes its mailbox.</summary>
    public Task Remove(Activation activation, DeactivationReason reason)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sync)
        {
            if (_activations.TryGetValue(activation.Id, out var current) && ReferenceEquals(current, activation))
            {
                _activations.Remove(activation.Id);
            }
            activation.CloseMailbox(reason, done);
        }
        return done.Task;
    }

    /// <summary>Deactivates every activation matching <paramref name="filter"/>; queued work is run, given back, or dropped back to the inbox with the activation invalidated.</summary>
    public Task RemoveWhere(Func<Activation, bool> filter, DeactivationReason reason, QueuedWork queued)
    {
        List<Activation> selected;
        lock (_sync)
        {
            selected = [.. _activations.Values.Where(filter)];
        }
        var waits = new List<Task>(selected.Count);
        foreach (var activation in selected)
        {
            if (queued == QueuedWork.Invalidate)
            {
                activation.Invalidate();
            }
            else if (queued == QueuedWork.GiveBack)
            {
                activation.ReturnQueuedWork();
            }
            waits.Add(Remove(activation, reason));
        }
        return Task.WhenAll(waits);
    }
}

/// <summary>What a deactivation does with the work still queued in the mailbox.</summary>
internal enum QueuedWork
{
    /// <summary>Run it first (idle collection: there is none).</summary>
    Run,

    /// <summary>Finish the running turn and give the rest back to the inbox (a hand-off or a shutdown).</summary>
    GiveBack,

    /// <summary>Give everything back unprocessed and skip OnDeactivateAsync (the shard was lost).</summary>
    Invalidate,
}
