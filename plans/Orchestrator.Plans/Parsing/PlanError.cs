namespace Orchestrator.Plans.Parsing;

/// <summary>
/// One thing wrong with a plan or its parameters. <see cref="Path"/> names the field the way the plan file spells it,
/// e.g. <c>steps[1].execution.rolling.expression</c> (empty for the document as a whole); <see cref="Line"/> and
/// <see cref="Column"/> (1-based) point into the text the plan was parsed from, and are null when there was none.
/// </summary>
public sealed record PlanError(string Path, string Message, int? Line, int? Column)
{
    public PlanError(string path, string message)
        : this(path, message, null, null)
    {
    }

    /// <summary><c>line 3, column 7: steps[0].name: ...</c>, or without the position when there is none.</summary>
    public override string ToString()
    {
        var where = Line is { } line ? $"line {line}, column {Column}: " : "";
        var what = Path.Length > 0 ? $"{Path}: " : "";
        return where + what + Message;
    }
}
