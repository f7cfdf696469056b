using System.Diagnostics.CodeAnalysis;

namespace Orchestrator.Plans.Selectors;

/// <summary>
/// A Kubernetes-style label selector: comma-separated requirements, all of which must hold:
/// <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c> (exists), <c>!k</c> (absent).
/// </summary>
/// <remarks>
/// As in Kubernetes, <c>k!=v</c> and <c>k notin (...)</c> also hold for a host without the label <c>k</c>.
/// Unlike Kubernetes, an empty selector is an error rather than "every host": a plan aimed at the whole fleet by
/// accident is the mistake this refuses.
/// </remarks>
public sealed class LabelSelector
{
    private readonly LabelRequirement[] _requirements;

    internal LabelSelector(LabelRequirement[] requirements) => _requirements = requirements;

    /// <summary>The requirements, in order of appearance; all must hold.</summary>
    public IReadOnlyList<LabelRequirement> Requirements => _requirements;

    /// <summary>Parses a selector; throws <see cref="FormatException"/> saying where and what is wrong.</summary>
    public static LabelSelector Parse(string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return TryParse(selector, out var parsed, out var error) ? parsed : throw new FormatException(error);
    }

    /// <summary>Parses a selector without throwing; <paramref name="error"/> says where (1-based) and what is wrong.</summary>
    public static bool TryParse(
        string? selector,
        [NotNullWhen(true)] out LabelSelector? result,
        [NotNullWhen(false)] out string? error) =>
        new LabelSelectorParser(selector ?? "").TryParse(out result, out error);

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The selector in canonical form, e.g. <c>role=db,zone in (a,b)</c>.</summary>
    public override string ToString() => string.Join(',', _requirements);
}

/// <summary>The operator of one <see cref="LabelRequirement"/>.</summary>
public enum LabelOperator
{
    /// <summary><c>k=v</c> or <c>k==v</c>.</summary>
    Equal,

    /// <summary><c>k!=v</c>; also holds when the label is absent.</summary>
    NotEqual,

    /// <summary><c>k in (a,b)</c>.</summary>
    In,

    /// <summary><c>k notin (a,b)</c>; also holds when the label is absent.</summary>
    NotIn,

    /// <summary><c>k</c>.</summary>
    Exists,

    /// <summary><c>!k</c>.</summary>
    DoesNotExist,
}

/// <summary>One requirement of a <see cref="LabelSelector"/>; <see cref="Values"/> is empty for the existence checks.</summary>
public sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var present = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            LabelOperator.Equal => present && value == Values[0],
            LabelOperator.NotEqual => !present || value != Values[0],
            LabelOperator.In => present && Values.Contains(value!),
            LabelOperator.NotIn => !present || !Values.Contains(value!),
            LabelOperator.Exists => present,
            _ => !present,
        };
    }

    public override string ToString() => Operator switch
    {
        LabelOperator.Equal => $"{Key}={Values[0]}",
        LabelOperator.NotEqual => $"{Key}!={Values[0]}",
        LabelOperator.In => $"{Key} in ({string.Join(',', Values)})",
        LabelOperator.NotIn => $"{Key} notin ({string.Join(',', Values)})",
        LabelOperator.Exists => Key,
        _ => $"!{Key}",
    };
}
