namespace Orchestrator.Runtime.Indexes;

/// <summary>
/// One index change a turn makes: <see cref="Row"/> written, or, when it is null, the row with this key deleted.
/// Applied only when the turn commits, in the same transaction as its state.
/// </summary>
public sealed record IndexWrite(string Kind, string Partition, string Key, IndexRow? Row)
{
    public static IndexWrite Upsert(IndexRow row) => new(row.Kind, row.Partition, row.Key, row);

    public static IndexWrite Delete(string kind, string partition, string key) => new(kind, partition, key, null);

    /// <summary>
    /// The last write of each key, in ordinal key order. A store sends each key once (PostgreSQL's
    /// <c>ON CONFLICT DO UPDATE</c> refuses to touch a row twice in one statement), and two transactions writing
    /// overlapping keys then lock them in the same order.
    /// </summary>
    public static List<IndexWrite> LastWins(IEnumerable<IndexWrite> writes)
    {
        var last = new Dictionary<(string, string, string), IndexWrite>();
        foreach (var write in writes)
        {
            last[(write.Kind, write.Partition, write.Key)] = write;
        }
        var result = last.Values.ToList();
        result.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Kind, b.Kind);
            c = c != 0 ? c : string.CompareOrdinal(a.Partition, b.Partition);
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });
        return result;
    }
}
