namespace Orchestrator.Grains.Steps;

/// <summary>
/// The positions of a step attempt whose final report was counted, one bit each (100,000 targets: 12.5 KB in the step's
/// state). A target's report may arrive twice (its outbox re-sends until acknowledged); the second finds its bit set.
/// </summary>
public static class CountedPositions
{
    /// <summary>A set for <paramref name="total"/> positions, none counted.</summary>
    public static byte[] For(int total) => new byte[(Math.Max(0, total) + 7) / 8];

    /// <summary>
    /// Marks <paramref name="position"/> counted; false if it was already. A position outside the set (a report without
    /// one, from a message older than positions) is never recorded and always counts.
    /// </summary>
    public static bool TryCount(byte[] counted, int position)
    {
        ArgumentNullException.ThrowIfNull(counted);
        if (position < 0 || position / 8 >= counted.Length)
        {
            return true;
        }
        var mask = (byte)(1 << (position % 8));
        if ((counted[position / 8] & mask) != 0)
        {
            return false;
        }
        counted[position / 8] |= mask;
        return true;
    }

    public static bool IsCounted(byte[] counted, int position) =>
        position >= 0 && position / 8 < counted.Length && (counted[position / 8] & (1 << (position % 8))) != 0;
}
