namespace Orchestrator.Api.Instances;

/// <summary>
/// Hosts whose name starts with a prefix, read as a key range of an index partition (keys in ordinal order): start
/// after <see cref="Floor"/> and stop at the first key without the prefix. Pure.
/// </summary>
public static class HostPrefix
{
    /// <summary>
    /// A key below every host name that starts with <paramref name="prefix"/> and at or above every host name below
    /// them: the prefix with its last character lowered by one, then '~' (above every character a host name may hold,
    /// <c>[A-Za-z0-9._:-]</c>). "web-1" gives "web-0~": "web-0zz" &lt; "web-0~" &lt; "web-1".
    /// </summary>
    public static string Floor(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return string.Concat(prefix.AsSpan(0, prefix.Length - 1), [(char)(prefix[^1] - 1), '~']);
    }

    /// <summary>
    /// A key above every host name that starts with <paramref name="prefix"/> and at or below every host name above
    /// them: the prefix, then '~'. "web-1" gives "web-1~": "web-1zz" &lt; "web-1~" &lt; "web-2". For reading backwards.
    /// </summary>
    public static string Ceiling(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return prefix + "~";
    }

    /// <summary>The earlier of a cursor's key (null: none) and the ceiling, ordinally: where a backward read starts.</summary>
    public static string Earlier(string? after, string ceiling) =>
        after is not null && string.CompareOrdinal(after, ceiling) < 0 ? after : ceiling;

    /// <summary>The later of a cursor's key (null: none) and the floor, ordinally.</summary>
    public static string Later(string? after, string floor) =>
        after is not null && string.CompareOrdinal(after, floor) > 0 ? after : floor;
}
