using System.Globalization;
using System.Text.Json;
using Orchestrator.Runtime.Indexes;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// The index rows that let the sweeper find work without a reminder per grain: one <c>wakeup</c> row per grain with
/// armed wake-ups (its earliest due time) and one <c>outbox</c> row per grain with messages pending (its earliest next
/// attempt). Both live in one partition and their key starts with the due time (UTC ticks, fixed width), so the
/// sweeper reads the rows that are due in key order and stops at the first that is not: its cost follows the work that
/// is due, not the grains there are. The grain deletes its previous row in the write that moves the time.
/// </summary>
public static class DurableIndexRows
{
    public const string WakeUpKind = "wakeup";
    public const string OutboxKind = "outbox";
    public const string Partition = "due";

    public static string Key(DateTimeOffset due, GrainId grain) =>
        due.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + grain;

    public static IndexRow Row(string kind, DateTimeOffset due, GrainId grain) =>
        new(kind, Partition, Key(due, grain), 0, JsonSerializer.Serialize(new RowData(grain.ToString(), due.ToUniversalTime()), DurableJson.Options));

    private sealed record RowData(string Grain, DateTimeOffset Due);

    /// <summary>Reads a row key back; false for a key not written by <see cref="Key"/>.</summary>
    public static bool TryParse(string key, out DateTimeOffset due, out GrainId grain)
    {
        due = default;
        grain = default;
        var bar = key.IndexOf('|', StringComparison.Ordinal);
        if (bar != 19 || !long.TryParse(key.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }
        try
        {
            grain = GrainId.Parse(key[(bar + 1)..]);
        }
        catch (ArgumentException)
        {
            return false;
        }
        due = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }
}
