using Orchestrator.Plans.Parsing;

namespace Orchestrator.Plans.Validation;

/// <summary>The checks of <see cref="PlanLimits"/>: each reports an error naming the field's path and the limit.</summary>
public static partial class PlanValidator
{
    /// <summary>
    /// A duration that must be longer than zero (or, with <paramref name="zeroAllowed"/>, zero or longer) and at most
    /// <paramref name="max"/>; true when absent or within, false when outside (reported).
    /// </summary>
    private static bool Duration(TimeSpan? value, string path, TimeSpan max, List<PlanError> errors, bool zeroAllowed = false)
    {
        if (value is not { } duration)
        {
            return true;
        }

        if (zeroAllowed ? duration < TimeSpan.Zero : duration <= TimeSpan.Zero)
        {
            errors.Add(new PlanError(path, zeroAllowed
                ? $"{Leaf(path)} must be zero or longer, not {DurationFormat.Format(duration)}."
                : $"{Leaf(path)} must be longer than zero, not {DurationFormat.Format(duration)}."));
            return false;
        }

        if (duration > max)
        {
            errors.Add(new PlanError(path, $"{Leaf(path)} must be at most {PlanLimits.Describe(max)}, not {DurationFormat.Format(duration)}."));
            return false;
        }

        return true;
    }

    /// <summary>A text of at most <paramref name="max"/> characters; true when absent or within, false when longer (reported).</summary>
    private static bool Length(string? value, string path, int max, List<PlanError> errors)
    {
        if (value is null || value.Length <= max)
        {
            return true;
        }

        errors.Add(new PlanError(path, $"{Leaf(path)} is at most {max} characters; this one has {value.Length}."));
        return false;
    }

    /// <summary>
    /// How many items of a list to check: all of them, or, past <paramref name="max"/>, the first <paramref name="max"/>
    /// after an error saying so (a list a thousand times too long would otherwise give a thousand times the errors).
    /// </summary>
    private static int Counted(int count, string path, int max, string what, List<PlanError> errors)
    {
        if (count <= max)
        {
            return count;
        }

        errors.Add(new PlanError(path, $"At most {max} {what}; this has {count}."));
        return max;
    }

    /// <summary>The field a path ends with, for messages: <c>deadline</c> for <c>steps[0].execution.deadline</c>.</summary>
    private static string Leaf(string path)
    {
        var dot = path.LastIndexOf('.');
        var name = dot < 0 ? path : path[(dot + 1)..];
        var bracket = name.IndexOf('[', StringComparison.Ordinal);
        return bracket > 0 ? name[..bracket] : name;
    }
}
