using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>The shards this silo holds, with their epochs; shards being handed off stop taking new work.</summary>
internal sealed class ShardTable
{
    private readonly Lock _sync = new();
    private Dictionary<int, long> _held = [];
    private HashSet<int> _draining = [];
    private int[] _active = [];

    /// <summary>Held shards that accept work (not draining). A snapshot; safe to enumerate.</summary>
    public int[] Active => Volatile.Read(ref _active);

    public IReadOnlyCollection<ShardLease> Held
    {
        get
        {
            lock (_sync)
            {
                return [.. _held.Select(kv => new ShardLease(kv.Key, kv.Value))];
            }
        }
    }

    public bool TryGetEpoch(int shard, out long epoch)
    {
        lock (_sync)
        {
            return _held.TryGetValue(shard, out epoch) && !_draining.Contains(shard);
        }
    }

    public void Add(IEnumerable<ShardLease> leases)
    {
        lock (_sync)
        {
            foreach (var lease in leases)
            {
                _held[lease.Shard] = lease.Epoch;
                _draining.Remove(lease.Shard);
            }
            Publish();
        }
    }

    public void StartDraining(IEnumerable<int> shards)
    {
        lock (_sync)
        {
            _draining.UnionWith(shards.Where(_held.ContainsKey));
            Publish();
        }
    }

    /// <summary>Forgets shards; returns those that were held.</summary>
    public IReadOnlyList<ShardLease> Remove(IEnumerable<int> shards)
    {
        lock (_sync)
        {
            var removed = new List<ShardLease>();
            foreach (var shard in shards)
            {
                if (_held.Remove(shard, out var epoch))
                {
                    removed.Add(new ShardLease(shard, epoch));
                }
                _draining.Remove(shard);
            }
            Publish();
            return removed;
        }
    }

    public IReadOnlyList<ShardLease> Clear()
    {
        lock (_sync)
        {
            var all = _held.Select(kv => new ShardLease(kv.Key, kv.Value)).ToList();
            _held = [];
            _draining = [];
            Publish();
            return all;
        }
    }

    private void Publish() => Volatile.Write(ref _active, [.. _held.Keys.Where(s => !_draining.Contains(s)).Order()]);
}
