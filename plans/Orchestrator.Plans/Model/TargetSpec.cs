namespace Orchestrator.Plans.Model;

/// <summary>
/// The hosts a step runs on: the union of every part given, in order of appearance, without repeats. A container step
/// runs on clusters instead: <see cref="Clusters"/> and <see cref="ClusterSelector"/>, with <see cref="Dispatch"/>.
/// </summary>
public sealed record TargetSpec
{
    /// <summary>Host names.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>A label selector over the host inventory, e.g. <c>role=db,zone in (a,b)</c>; see <see cref="Selectors.LabelSelector"/>.</summary>
    public string? Selector { get; init; }

    /// <summary>The name of a <see cref="ParameterType.HostList"/> parameter.</summary>
    public string? Parameter { get; init; }

    /// <summary>The hosts on which an earlier step succeeded or failed.</summary>
    public StepHostsReference? FromStep { get; init; }

    /// <summary>Registered cluster names (container steps only).</summary>
    public IReadOnlyList<string> Clusters { get; init; } = [];

    /// <summary>A label selector over the registered clusters' labels (container steps only).</summary>
    public string? ClusterSelector { get; init; }

    /// <summary>One Job on the best cluster, or one per cluster; <see cref="ClusterDispatch.Balanced"/> when null.</summary>
    public ClusterDispatch? Dispatch { get; init; }
}

/// <summary>Which of an earlier step's hosts to take.</summary>
public enum StepHostsOutcome
{
    Succeeded,
    Failed,
}

/// <summary>An earlier step's succeeded or failed hosts; <c>previous</c> names the step just before.</summary>
public sealed record StepHostsReference
{
    /// <summary>The step name that means "the step just before"; no step may be named so.</summary>
    public const string Previous = "previous";

    public string Step { get; init; } = "";

    public StepHostsOutcome Outcome { get; init; } = StepHostsOutcome.Succeeded;
}
