using Orchestrator.Api.Hosting;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Api.Schedules;

/// <summary>
/// A schedule as <c>PUT /api/v1/plans/{planId}/schedules/{name}</c> takes it, for the OpenAPI document (read by
/// <see cref="ScheduleRequest"/>; the Kubernetes CronJob names are taken too; bounds in docs/scheduling.md).
/// Durations are text (<c>90s</c>, <c>1h</c>) or whole seconds.
/// </summary>
public sealed record ScheduleBody
{
    /// <summary>A cron expression: 5 or 6 fields, or <c>@hourly</c>, <c>@daily</c>, ... (also <c>schedule</c>).</summary>
    public required string Cron { get; init; }

    /// <summary>An IANA zone id (default UTC).</summary>
    public string? TimeZone { get; init; }

    public DayMatching? DayMatching { get; init; }

    public string? Description { get; init; }

    public bool? Suspend { get; init; }

    /// <summary>How late a fire may still start (also <c>startingDeadlineSeconds</c>).</summary>
    public string? StartingDeadline { get; init; }

    /// <summary>What a fire does while a run of the schedule is going (also <c>concurrencyPolicy</c>).</summary>
    public OverlapPolicy? Overlap { get; init; }

    public CatchUpMode? CatchUp { get; init; }

    public string? CatchUpWindow { get; init; }

    public int? SuccessfulHistoryLimit { get; init; }

    public int? FailedHistoryLimit { get; init; }

    /// <summary>The plan version to run (default the latest at each fire).</summary>
    public int? PlanVersion { get; init; }

    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    public Plans.StatusHookBody? StatusHook { get; init; }
}

/// <summary>A cron expression to preview without saving: its zone, day rule, how many fire times, from when.</summary>
public sealed record PreviewBody
{
    public required string Cron { get; init; }

    public string? TimeZone { get; init; }

    public DayMatching? DayMatching { get; init; }

    public int? Count { get; init; }

    public DateTimeOffset? From { get; init; }
}

internal static class ScheduleRequests
{
    public static readonly DescribedBody Schedule = new(typeof(ScheduleBody), true, "The schedule; `cron` is required, every other field has a default.",
        ["application/json"], """{"cron": "0 2 * * 1-5", "timeZone": "Europe/Berlin", "overlap": "forbid", "parameters": {"version": "stable"}}""");

    public static readonly DescribedBody Preview = new(typeof(PreviewBody), true, "The expression to try.",
        ["application/json"], """{"cron": "30 9 * * mon", "timeZone": "America/New_York", "count": 5}""");
}
