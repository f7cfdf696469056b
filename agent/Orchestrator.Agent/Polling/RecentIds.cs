namespace Orchestrator.Agent.Polling;

/// <summary>Ids of assignments finished within the retention, so a repeated delivery is recognised. Not thread-safe.</summary>
internal sealed class RecentIds(TimeSpan retention, TimeProvider timeProvider)
{
    private readonly HashSet<string> ids = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, long At)> order = new();

    public int Count => ids.Count;

    public void Add(string id)
    {
        Prune();
        if (ids.Add(id))
        {
            order.Enqueue((id, timeProvider.GetTimestamp()));
        }
    }

    public bool Contains(string id)
    {
        Prune();
        return ids.Contains(id);
    }

    private void Prune()
    {
        while (order.TryPeek(out var oldest) && timeProvider.GetElapsedTime(oldest.At) > retention)
        {
            ids.Remove(order.Dequeue().Id);
        }
    }
}
