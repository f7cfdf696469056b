using System.Globalization;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Plans.Validation;

/// <summary>
/// Every bound the plan format puts on a duration, a count or a length, in one place; <c>docs/plan-format.md</c>
/// ("Limits") lists the same numbers. A plan is stored whole in every run and every step of it, and rendered for every
/// target, so each field is bounded by what a real plan needs with room to spare, never by what memory allows; and
/// every duration ends within the range a date can hold, so a time computed from one never overflows.
/// </summary>
/// <remarks>Lengths count UTF-16 characters (what <see cref="string.Length"/> says).</remarks>
public static class PlanLimits
{
    // Durations. A field that must be longer than zero is bounded below by that; ttlAfterFinished may be zero.

    /// <summary><c>execution.targetTimeout</c>: one script run. The agent protocol carries it in milliseconds as a 32-bit number.</summary>
    public static readonly TimeSpan MaxTargetTimeout = TimeSpan.FromDays(7);

    /// <summary><c>execution.deadline</c> and Kubernetes' <c>activeDeadlineSeconds</c>: one step, all its batches and retries.</summary>
    public static readonly TimeSpan MaxDeadline = TimeSpan.FromDays(30);

    /// <summary><c>execution.retry.initialBackoff</c> and <c>maxBackoff</c>.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromDays(1);

    /// <summary><c>execution.retry.factor</c>: the growth of the back-off per retry.</summary>
    public const double MaxBackoffFactor = 10;

    /// <summary><c>approval.timeout</c>: how long people have to decide.</summary>
    public static readonly TimeSpan MaxApprovalTimeout = TimeSpan.FromDays(30);

    /// <summary><c>http.timeout</c>: one request and its response.</summary>
    public static readonly TimeSpan MaxHttpTimeout = TimeSpan.FromHours(1);

    /// <summary><c>ttlAfterFinished</c> and Kubernetes' <c>ttlSecondsAfterFinished</c>: how long a finished run is kept.</summary>
    public static readonly TimeSpan MaxTtlAfterFinished = TimeSpan.FromDays(3650);

    /// <summary>The longest duration any plan field accepts: times a run computes from plan durations stay below it.</summary>
    public static readonly TimeSpan MaxDuration = MaxTtlAfterFinished;

    // Counts and lengths of the plan and its parameters.

    public const int MaxPlanNameLength = 128;

    /// <summary>A plan's and a parameter's <c>description</c>.</summary>
    public const int MaxDescriptionLength = 4096;

    public const int MaxSteps = 100;

    public const int MaxStepNameLength = 64;

    public const int MaxParameters = 100;

    public const int MaxParameterNameLength = 64;

    /// <summary>A parameter's <c>default</c>, and a value given when a run starts.</summary>
    public const int MaxParameterValueLength = 65_536;

    // Targets.

    /// <summary><c>targets.hosts</c>; a selector reaches more hosts than any list should name.</summary>
    public const int MaxHostsPerList = 10_000;

    public const int MaxHostNameLength = HostNames.MaxLength;

    public const int MaxSelectorLength = 4096;

    // Scripts.

    /// <summary><c>script.source</c> (inline, or read from <c>file:</c>).</summary>
    public const int MaxScriptLength = 262_144;

    public const int MaxArgs = 256;

    public const int MaxArgLength = 32_768;

    public const int MaxEnvEntries = 256;

    public const int MaxEnvNameLength = 256;

    public const int MaxEnvValueLength = 32_768;

    /// <summary><c>script.workingDirectory</c>, <c>files.targetDirectory</c>, <c>files.sources[].path</c>.</summary>
    public const int MaxPathLength = 4096;

    // Files.

    public const int MaxFileSources = 100;

    /// <summary><c>files.sources[].name</c>: one path component.</summary>
    public const int MaxFileNameLength = 255;

    // HTTP.

    public const int MaxUrlLength = 8192;

    public const int MaxHeaders = 64;

    public const int MaxHeaderNameLength = 256;

    public const int MaxHeaderValueLength = 8192;

    public const int MaxHttpBodyLength = 262_144;

    public const int MaxExpectStatuses = 32;

    // Containers.

    /// <summary><c>targets.clusters</c>.</summary>
    public const int MaxClustersPerList = 100;

    /// <summary><c>container.image</c>: Kubernetes does not bound it; registries keep references far shorter.</summary>
    public const int MaxImageLength = 1024;

    public const int MaxTolerations = 64;

    public const int MaxVolumes = 64;

    /// <summary><c>container.completions</c> and <c>container.parallelism</c> (Kubernetes bounds an Indexed Job at 100,000).</summary>
    public const int MaxJobCompletions = 100_000;

    /// <summary><c>container.template</c> as JSON text: a pod template is a few kilobytes.</summary>
    public const int MaxPodTemplateLength = 262_144;

    // Approvals.

    public const int MaxApprovers = 100;

    public const int MaxApproverLength = 256;

    /// <summary><c>approval.message</c>.</summary>
    public const int MaxMessageLength = 4096;

    // Execution.

    public const int MaxRetryLimit = 100;

    public const int MaxRollingExpressionLength = 256;

    public const int MaxExitCodeRules = 64;

    /// <summary>Codes in one exit-code rule (codes are 0 to 255).</summary>
    public const int MaxExitCodesPerRule = 256;

    // Templates.

    /// <summary><c>${{ ... }}</c> placeholders in one field: each is replaced for every target.</summary>
    public const int MaxPlaceholdersPerField = 256;

    /// <summary>The expression inside one placeholder.</summary>
    public const int MaxTemplateExpressionLength = 256;

    /// <summary>How much of a value an error message quotes: enough to recognise it, never the whole of a huge one.</summary>
    public const int MaxQuotedLength = 64;

    /// <summary>A value to quote in a message, cut after <see cref="MaxQuotedLength"/> characters.</summary>
    public static string Excerpt(string? value)
    {
        if (value is null || value.Length <= MaxQuotedLength)
        {
            return value ?? "";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value.AsSpan(0, MaxQuotedLength)}… ({value.Length} characters)");
    }

    /// <summary>A limit as the documentation writes it: <c>30d</c>, <c>1h</c>.</summary>
    public static string Describe(TimeSpan limit) =>
        limit.Ticks % TimeSpan.TicksPerDay == 0 && limit > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{limit.Ticks / TimeSpan.TicksPerDay}d")
            : DurationFormat.Format(limit);
}
