using System.Globalization;

namespace Orchestrator.Api.Instances;

/// <summary>
/// The orders a step's hosts are paged in (<c>?sort=</c> of the targets list), each read as index ranges, never by
/// loading the step: <c>name</c> (the default: host name ascending, the partition's key order), <c>-name</c> (the same
/// key range read backwards) and <c>status</c> /
/// <c>-status</c> (the target status by its number, ascending or descending, so that <c>-status</c> puts final failures
/// before successes and running hosts; host name ascending within a status): one range of the (kind, part, status,
/// key) index per status, taken in turn. A status order's cursor holds the status and the last host
/// (<c>"11:web-7"</c>). Pure.
/// </summary>
public static class TargetOrder
{
    public const string Name = "name";
    public const string NameDescending = "-name";
    public const string Status = "status";
    public const string StatusDescending = "-status";

    public static readonly string[] Names = [Name, NameDescending, Status, StatusDescending];

    /// <summary>Whether <paramref name="sort"/> is a status order (its cursor holds a status).</summary>
    public static bool ByStatus(string sort) => sort is Status or StatusDescending;

    /// <summary>
    /// The statuses to read, in the order's sequence: those of <paramref name="filter"/> (null: every status of
    /// <paramref name="all"/>), from <paramref name="fromStatus"/> (the cursor's; null: the first) on.
    /// </summary>
    public static IReadOnlyList<int> Statuses(bool descending, IEnumerable<int> all, IReadOnlyCollection<int>? filter, int? fromStatus)
    {
        ArgumentNullException.ThrowIfNull(all);
        var chosen = (filter ?? all).Distinct();
        var ordered = descending ? chosen.OrderDescending() : chosen.Order();
        return [.. ordered.Where(s => fromStatus is not { } from || (descending ? s <= from : s >= from))];
    }

    /// <summary>The key a status order's cursor carries after <paramref name="host"/> of <paramref name="status"/>.</summary>
    public static string Key(int status, string host) => status.ToString(CultureInfo.InvariantCulture) + ":" + host;

    /// <summary>Reads a status order's cursor key; false when it is not one (a cursor of the name order, or made up).</summary>
    public static bool TryParseKey(string key, out int status, out string host)
    {
        ArgumentNullException.ThrowIfNull(key);
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        host = colon < 0 ? "" : key[(colon + 1)..];
        status = 0;
        return colon > 0 && host.Length > 0
            && int.TryParse(key.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out status);
    }
}
