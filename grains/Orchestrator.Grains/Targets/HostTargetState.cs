using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;

namespace Orchestrator.Grains.Targets;

/// <summary>State of one host target: the work, the current attempt and every run so far.</summary>
public sealed class HostTargetState
{
    /// <summary>The step attempt's trace context; null when the run has no trace.</summary>
    public string? TraceParent { get; set; }

    /// <summary>The current run's span (its dispatch), which the assignment carries to the agent.</summary>
    public string? RunTraceParent { get; set; }

    public string StepKey { get; set; } = "";

    public string Host { get; set; } = "";

    public int StepAttempt { get; set; }

    /// <summary>The target's position in the current step attempt's rollout (-1: a file source); its reports carry it.</summary>
    public int Position { get; set; } = -1;

    /// <summary>The namespace of the target's step (null: <c>default</c>); a retry dispatches only to a host in it.</summary>
    public string? Namespace { get; set; }

    /// <summary>The highest step attempt cancelled before its start arrived: a late start for it is refused.</summary>
    public int CancelledAttempt { get; set; }

    public TargetStatus Status { get; set; }

    /// <summary>Runs on the agent, counted over all attempts; each has its own assignment id and log stream.</summary>
    public int Run { get; set; }

    public WorkSpec? Work { get; set; }

    public TimeSpan? Timeout { get; set; }

    public RetryPolicy Retry { get; set; } = new();

    public List<ExitCodeRule> ExitCodes { get; set; } = [];

    public int RetriesUsed { get; set; }

    /// <summary>The step attempt this target last reported a final status for (0: none), with what it reported.</summary>
    public int ReportedAttempt { get; set; }

    public int? ReportedExitCode { get; set; }

    public bool ReportedFailStep { get; set; }

    public string? SessionId { get; set; }

    public List<TargetAttempt> Attempts { get; set; } = [];

    public Dictionary<string, string> Outputs { get; set; } = [];

    public int? Percent { get; set; }

    /// <summary>Deleted with its instance: the state is a tombstone, the target reads as absent and ignores late messages.</summary>
    public bool Deleted { get; set; }

    public string? ProgressMessage { get; set; }

    /// <summary>The current run's output digest and excerpt (<see cref="OutputDigest"/>), taken when it finished; null until then.</summary>
    public string? OutputDigest { get; set; }

    public string? OutputExcerpt { get; set; }

    /// <summary>The partition of the <c>targetgroup</c> row last written (null: none), deleted when the target runs again.</summary>
    public string? GroupRow { get; set; }

    /// <summary>When the last progress check-in arrived (the agent's time of the event).</summary>
    public DateTimeOffset? ProgressAt { get; set; }
}
