namespace Orchestrator.Plans.Selectors;

/// <summary>
/// A Kubernetes-style label selector: comma-separated requirements, all of which must hold:
/// <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c> (exists), <c>!k</c> (absent).
/// </summary>
public sealed class LabelSelector
{
    /// <summary>Parses a selector; throws <see cref="FormatException"/> saying where and what is wrong.</summary>
    public static LabelSelector Parse(string selector) => throw new NotImplementedException();

    public bool Matches(IReadOnlyDictionary<string, string> labels) => throw new NotImplementedException();
}
