namespace Orchestrator.Plans.Model;

/// <summary>
/// An execution plan: ordered steps aimed at hosts, with parameters. Immutable; a change to a stored plan makes a new
/// version. The YAML and JSON formats are documented in <c>docs/plan-format.md</c>.
/// </summary>
public sealed record PlanDefinition
{
    /// <summary>Display name.</summary>
    public string Name { get; init; } = "";

    /// <summary>
    /// The namespace the plan is in (<see cref="Namespaces"/>); null: not given (the API then uses its
    /// <c>?namespace=</c>, the stored plan's, or <c>default</c>). Fixed when the plan is created.
    /// </summary>
    public string? Namespace { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<ParameterDefinition> Parameters { get; init; } = [];

    public IReadOnlyList<StepDefinition> Steps { get; init; } = [];

    /// <summary>
    /// A finished task instance of this plan, with its logs, is deleted this long after it ended (Kubernetes'
    /// <c>ttlSecondsAfterFinished</c>); null keeps it.
    /// </summary>
    public TimeSpan? TtlAfterFinished { get; init; }
}

/// <summary>What a parameter holds. A secret is never shown in logs or API replies.</summary>
public enum ParameterType
{
    String,
    Secret,
    HostList,
}

/// <summary>A value the operator supplies when starting a task instance.</summary>
public sealed record ParameterDefinition
{
    /// <summary>Referenced as <c>${{ params.NAME }}</c>; letters, digits and <c>_</c>, starting with a letter.</summary>
    public string Name { get; init; } = "";

    public ParameterType Type { get; init; } = ParameterType.String;

    public bool Required { get; init; }

    /// <summary>Used when the operator gives none. A host list is comma-separated.</summary>
    public string? Default { get; init; }

    public string? Description { get; init; }
}
