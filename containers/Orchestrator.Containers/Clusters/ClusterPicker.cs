using Orchestrator.Plans.Selectors;

namespace Orchestrator.Containers.Clusters;

/// <summary>A registered cluster as the picker sees it.</summary>
/// <param name="Name">Registered name.</param>
/// <param name="Labels">Its labels, matched by a target's selector.</param>
/// <param name="Capacity">How many of our Jobs it may run at once.</param>
/// <param name="Running">How many of our Jobs run there now.</param>
/// <param name="Health">Its tracked health; only <see cref="ClusterHealthStatus.Healthy"/> ones are chosen.</param>
public sealed record ClusterCandidate(string Name, IReadOnlyDictionary<string, string> Labels, int Capacity, int Running, ClusterHealthStatus Health)
{
    /// <summary>Capacity minus running, never below zero.</summary>
    public int Free => Math.Max(0, Capacity - Running);
}

/// <summary>One cluster, or every matching one.</summary>
public enum ClusterPickMode
{
    /// <summary>The matching healthy cluster with the most free capacity (balanced dispatch).</summary>
    One,

    /// <summary>Every matching healthy cluster (a step that fans out one Job per cluster).</summary>
    Each,
}

/// <summary>The chosen clusters, and why each matching one that was not chosen was passed over.</summary>
public sealed record ClusterPick(IReadOnlyList<string> Chosen, IReadOnlyDictionary<string, string> PassedOver)
{
    /// <summary>Why nothing was chosen, naming each candidate's reason; null when something was.</summary>
    public string? Problem => Chosen.Count > 0 ? null
        : PassedOver.Count == 0 ? "no registered cluster matches the target"
        : "no cluster can take the Job: " + string.Join("; ", PassedOver.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
}

/// <summary>
/// Pure choice of clusters for a container step's target. Candidates are the clusters named by the target, or those
/// whose labels match its selector; unhealthy or not-yet-probed ones are passed over. In <see cref="ClusterPickMode.One"/>
/// the one with the most free capacity (capacity − our Jobs running there) wins, ties going to the smallest name
/// (ordinal), so the same state always gives the same choice; a cluster with no free capacity is not chosen (the step
/// waits rather than overloading it). In <see cref="ClusterPickMode.Each"/> every healthy match is chosen, in name order,
/// capacity notwithstanding: a fan-out step asks for all of them.
/// </summary>
public static class ClusterPicker
{
    public static ClusterPick Pick(IEnumerable<ClusterCandidate> clusters, LabelSelector? selector, IReadOnlyCollection<string>? names, ClusterPickMode mode)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        if ((selector is null) == (names is null))
        {
            throw new ArgumentException("Give a label selector or cluster names, not both or neither.");
        }
        var matching = clusters
            .Where(c => names is not null ? names.Contains(c.Name, StringComparer.Ordinal) : selector!.Matches(c.Labels))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        var passedOver = new Dictionary<string, string>(StringComparer.Ordinal);
        var healthy = new List<ClusterCandidate>();
        foreach (var cluster in matching)
        {
            if (cluster.Health != ClusterHealthStatus.Healthy)
            {
                passedOver[cluster.Name] = cluster.Health == ClusterHealthStatus.Unknown ? "is not probed yet" : "is unhealthy";
            }
            else
            {
                healthy.Add(cluster);
            }
        }
        if (mode == ClusterPickMode.Each)
        {
            return new ClusterPick([.. healthy.Select(c => c.Name)], passedOver);
        }
        var best = healthy.Where(c => c.Free > 0).OrderByDescending(c => c.Free).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        foreach (var cluster in healthy.Where(c => c != best))
        {
            passedOver[cluster.Name] = cluster.Free == 0 ? $"is full ({cluster.Running} of {cluster.Capacity} running)" : $"has less free capacity ({cluster.Free})";
        }
        return new ClusterPick(best is null ? [] : [best.Name], passedOver);
    }
}
