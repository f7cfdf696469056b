using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Targets;

/// <summary>State of one host target: the work, the current attempt and every run so far.</summary>
public sealed class HostTargetState : TargetState
{
    /// <summary>The current run's span (its dispatch), which the assignment carries to the agent.</summary>
    public string? RunTraceParent { get; set; }

    public string Host { get; set; } = "";

    public List<ExitCodeRule> ExitCodes { get; set; } = [];

    public bool ReportedFailStep { get; set; }

    public string? SessionId { get; set; }

    public Dictionary<string, string> Outputs { get; set; } = [];

    public int? Percent { get; set; }

    public string? ProgressMessage { get; set; }

    /// <summary>The current run's output digest and excerpt (<see cref="OutputDigest"/>), taken when it finished; null until then.</summary>
    public string? OutputDigest { get; set; }

    public string? OutputExcerpt { get; set; }

    /// <summary>The partition of the <c>targetgroup</c> row last written (null: none), deleted when the target runs again.</summary>
    public string? GroupRow { get; set; }

    /// <summary>When the last progress check-in arrived (the agent's time of the event).</summary>
    public DateTimeOffset? ProgressAt { get; set; }
}
