using System.Diagnostics.CodeAnalysis;
using Orchestrator.Plans.Model;

namespace Orchestrator.Plans.Parsing;

/// <summary>The outcome of <see cref="PlanParser"/>: a valid plan, or every error found, ordered by position.</summary>
public sealed record PlanParseResult
{
    /// <summary>The plan; null unless <see cref="Ok"/>.</summary>
    public PlanDefinition? Plan { get; init; }

    public IReadOnlyList<PlanError> Errors { get; init; } = [];

    [MemberNotNullWhen(true, nameof(Plan))]
    public bool Ok => Plan is not null && Errors.Count == 0;
}
