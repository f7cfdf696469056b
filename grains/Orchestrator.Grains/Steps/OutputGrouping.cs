using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Steps;

/// <summary>
/// A step's hosts grouped by identical output, exit code and status (<see cref="OutputGroupKey"/>), kept in the step's
/// state: at most <see cref="OutputGrouping.MaxGroups"/> groups, each with a count, an excerpt and a sample host;
/// hosts of any further group are counted in <see cref="Other"/>. A group, once made, keeps its place (even at count 0),
/// so every host of a key is always counted in the same place.
/// </summary>
public sealed class OutputGroupSet
{
    public List<OutputGroupEntry> Groups { get; set; } = [];

    public int Other { get; set; }
}

public sealed class OutputGroupEntry
{
    public string Key { get; set; } = "";

    public int Count { get; set; }

    public string? Excerpt { get; set; }

    public string SampleHost { get; set; } = "";
}

/// <summary>
/// The decisions on a step's output groups; pure. A report is counted once per position per attempt before it gets
/// here (<see cref="CountedPositions"/>), so a resent report never counts twice. A retry starts from
/// <see cref="Rebuild"/>: the groups of every final host row except the hosts being retried, which join their new
/// group when they report again — a retried host moves from its old group to its new one, never in both.
/// </summary>
public static class OutputGrouping
{
    /// <summary>
    /// Groups a step keeps. Each is about 250 bytes of the step's state (written on every counting turn), so 200
    /// groups cost at most ~50 KB a write; a step whose every host prints something different (a timestamp) fills
    /// them and counts the rest in "other outputs".
    /// </summary>
    public const int MaxGroups = 200;

    /// <summary>Characters of output kept as a group's excerpt.</summary>
    public const int MaxExcerpt = 160;

    /// <summary>Counts one host's report in its group (a new group while there is room, else in Other).</summary>
    public static void Add(OutputGroupSet set, string key, string? excerpt, string host)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(key);
        foreach (var group in set.Groups)
        {
            if (group.Key == key)
            {
                group.Count++;
                group.Excerpt ??= Cap(excerpt);
                return;
            }
        }
        if (set.Groups.Count >= MaxGroups)
        {
            set.Other++;
            return;
        }
        set.Groups.Add(new OutputGroupEntry { Key = key, Count = 1, Excerpt = Cap(excerpt), SampleHost = host });
    }

    /// <summary>
    /// The groups at the start of a retry: every host row that is final and has a group, except <paramref name="retried"/>
    /// (they join a group again when they report); excerpts of groups already known are kept. Rows without a group
    /// (written before output groups, or of targets that never reached a final status) are left out.
    /// </summary>
    public static OutputGroupSet Rebuild(OutputGroupSet? previous, IEnumerable<(string Host, TargetStatus Status, string? Group)> rows, IReadOnlySet<string> retried)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(retried);
        var excerpts = (previous?.Groups ?? []).Where(g => g.Excerpt is not null).ToDictionary(g => g.Key, g => g.Excerpt, StringComparer.Ordinal);
        var set = new OutputGroupSet();
        foreach (var (host, status, group) in rows)
        {
            if (group is null || !status.IsFinal() || retried.Contains(host))
            {
                continue;
            }
            Add(set, group, excerpts.GetValueOrDefault(group), host);
        }
        return set;
    }

    /// <summary>The groups with hosts, largest first (then by key, so the order is stable).</summary>
    public static StepGroupsView View(OutputGroupSet set, int attempt)
    {
        ArgumentNullException.ThrowIfNull(set);
        var groups = new List<OutputGroup>();
        foreach (var g in set.Groups.Where(g => g.Count > 0).OrderByDescending(g => g.Count).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            if (OutputGroupKey.TryParse(g.Key, out var digest, out var exitCode, out var status))
            {
                groups.Add(new OutputGroup(g.Key, digest, exitCode, status, g.Count, g.Excerpt, g.SampleHost));
            }
        }
        return new StepGroupsView(attempt, groups, set.Other, groups.Sum(g => g.Count) + set.Other, MaxGroups);
    }

    private static string? Cap(string? excerpt) => excerpt is { Length: > MaxExcerpt } ? excerpt[..MaxExcerpt] : excerpt;
}
