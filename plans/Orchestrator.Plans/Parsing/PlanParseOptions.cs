namespace Orchestrator.Plans.Parsing;

/// <summary>How <see cref="PlanParser"/> treats what a plan file refers to outside itself.</summary>
public sealed class PlanParseOptions
{
    /// <summary>
    /// The directory a script's <c>file:</c> is resolved against, usually the plan file's own directory. Default null:
    /// <c>file:</c> is an error, which is what a server parsing an uploaded plan wants. A <c>file:</c> may not leave
    /// this directory (<c>..</c> or an absolute path), so a plan cannot read arbitrary files of the machine parsing it.
    /// </summary>
    public string? BaseDirectory { get; init; }
}
