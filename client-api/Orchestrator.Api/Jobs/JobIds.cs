using System.Diagnostics.CodeAnalysis;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Job ids. A Generic or Scheduled job is a task instance: its id is the instance id (32 hex digits). A Periodic job
/// is a schedule: its id is <c>&lt;name&gt;.p-&lt;32 hex&gt;</c>, from which the schedule key
/// <c>&lt;name&gt;/p-&lt;32 hex&gt;</c> follows without a lookup. No instance id ends that way: ours are bare hex, and a
/// schedule's runs (the periodic job's executions) end with their due time.
/// </summary>
public static class JobIds
{
    private const string PeriodicMarker = ".p-";
    private const int GuidLength = 32;

    /// <summary>Ids are at most this long (a 128-character name plus the periodic suffix).</summary>
    public const int MaxLength = 128 + 3 + GuidLength;

    public static string NewInstanceJob() => Guid.NewGuid().ToString("N");

    public static string NewPeriodic(string name) => name + PeriodicMarker + Guid.NewGuid().ToString("N");

    /// <summary>The schedule behind a periodic job id: the plan (or built-in kind) it runs and its schedule key.</summary>
    public static bool TryParsePeriodic(string id, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out string? scheduleKey)
    {
        name = null;
        scheduleKey = null;
        var suffix = PeriodicMarker.Length + GuidLength;
        if (id.Length <= suffix || string.CompareOrdinal(id, id.Length - suffix, PeriodicMarker, 0, PeriodicMarker.Length) != 0
            || !id.AsSpan(id.Length - GuidLength).ContainsOnlyHex())
        {
            return false;
        }
        name = id[..^suffix];
        scheduleKey = GrainKeys.Schedule(name, id[^(suffix - 1)..]);
        return true;
    }

    /// <summary>The id alphabet of <see cref="Common.Ids.IsValid"/> (as plans may be named), 1 to <see cref="MaxLength"/> characters.</summary>
    public static bool IsValid(string id) => Common.Ids.IsValid(id, MaxLength);
}

file static class SpanHex
{
    public static bool ContainsOnlyHex(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }
        return true;
    }
}
