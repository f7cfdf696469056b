namespace Orchestrator.Runtime.Durable;

/// <summary>
/// The dedupe keys a receiver remembers: the most recent <c>limit</c> keys, none older than <c>retention</c>. A key
/// seen again inside the window is a re-send and is not applied twice.
/// </summary>
internal sealed class AppliedKeyWindow(int limit, TimeSpan retention)
{
    private readonly Queue<AppliedKey> _order = new();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

    public int Count => _order.Count;

    public bool Contains(string key) => _keys.Contains(key);

    /// <summary>Remembers a key applied at <paramref name="now"/> and forgets what falls out of the window.</summary>
    public void Add(string key, DateTimeOffset now)
    {
        if (_keys.Add(key))
        {
            _order.Enqueue(new AppliedKey(key, now));
        }
        Trim(now);
    }

    /// <summary>Forgets keys past the limit or older than the retention.</summary>
    public void Trim(DateTimeOffset now)
    {
        while (_order.Count > 0 && (_order.Count > limit || _order.Peek().At < now - retention))
        {
            _keys.Remove(_order.Dequeue().Key);
        }
    }

    public void Load(IEnumerable<AppliedKey> keys, DateTimeOffset now)
    {
        _order.Clear();
        _keys.Clear();
        foreach (var key in keys)
        {
            if (_keys.Add(key.Key))
            {
                _order.Enqueue(key);
            }
        }
        Trim(now);
    }

    public List<AppliedKey> ToList() => [.. _order];
}
