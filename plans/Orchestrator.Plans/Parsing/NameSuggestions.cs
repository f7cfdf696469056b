namespace Orchestrator.Plans.Parsing;

/// <summary>
/// "Did you mean": the allowed name closest to a misspelt one — the same letters in another case, or at most two
/// edits (insert, delete, replace) away. Used by the plan reader and the REST API for unknown fields.
/// </summary>
public static class NameSuggestions
{
    /// <summary>Longest name compared; anything longer is no typo of a field name.</summary>
    private const int MaxCompared = 128;

    public static string? Closest(string key, IEnumerable<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(allowed);
        if (key.Length > MaxCompared)
        {
            return null;
        }

        string? best = null;
        var bestDistance = 3;
        foreach (var candidate in allowed)
        {
            var distance = string.Equals(candidate, key, StringComparison.OrdinalIgnoreCase)
                ? 0
                : EditDistance(key.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
