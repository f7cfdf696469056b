using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Api.Schedules;

/// <summary>
/// Reads a schedule's JSON body with the API's common reader (<see cref="JsonFields"/>), so that its rules, wording
/// and limits are those of every other endpoint. Our field names, or the Kubernetes CronJob names
/// (<c>schedule</c>, <c>startingDeadlineSeconds</c>, <c>concurrencyPolicy</c>, <c>successfulJobsHistoryLimit</c>,
/// <c>failedJobsHistoryLimit</c>) for the same settings; errors name the field as given. The bounds are in
/// <c>docs/scheduling.md</c>.
/// </summary>
public static class ScheduleRequest
{
    /// <summary>The longest duration a schedule accepts (startingDeadline, catchUpWindow): 366 days.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(366);

    /// <summary>The shortest: one second.</summary>
    public static readonly TimeSpan MinDuration = TimeSpan.FromSeconds(1);

    public const int MaxHistoryLimit = 1000;

    public const int MaxDescription = 1000;

    private const string CronRequired = "Required: a cron expression (5 or 6 fields, or @hourly, @daily, ...).";

    /// <summary>Reads a schedule; null when the body breaks a rule (the errors are in <paramref name="body"/>).</summary>
    public static ScheduleSpec? Read(JsonFields body)
    {
        body.Alias("cron", "schedule");
        body.Alias("startingDeadline", "startingDeadlineSeconds");
        body.Alias("overlap", "concurrencyPolicy");
        body.Alias("successfulHistoryLimit", "successfulJobsHistoryLimit");
        body.Alias("failedHistoryLimit", "failedJobsHistoryLimit");

        var (cron, zone, dayMatching) = ReadCron(body);
        var description = body.String("description", MaxDescription);
        if (description is not null && description.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
        {
            body.Add("description", "Holds control characters other than tabs and line breaks.");
        }
        var defaults = new ScheduleSpec();
        var spec = defaults with
        {
            Cron = cron ?? "",
            TimeZone = zone ?? "UTC",
            DayMatching = dayMatching,
            Description = description,
            Suspend = body.Bool("suspend") ?? false,
            StartingDeadline = body.Duration("startingDeadline", MinDuration, MaxDuration, wholeSecondsAsNumber: true),
            Overlap = body.Enum<OverlapPolicy>("overlap") ?? defaults.Overlap,
            CatchUp = body.Enum<CatchUpMode>("catchUp") ?? defaults.CatchUp,
            CatchUpWindow = body.Duration("catchUpWindow", MinDuration, MaxDuration, wholeSecondsAsNumber: true) ?? defaults.CatchUpWindow,
            SuccessfulHistoryLimit = body.Int("successfulHistoryLimit", 0, MaxHistoryLimit) ?? defaults.SuccessfulHistoryLimit,
            FailedHistoryLimit = body.Int("failedHistoryLimit", 0, MaxHistoryLimit) ?? defaults.FailedHistoryLimit,
            PlanVersion = body.Int("planVersion", 1, int.MaxValue),
            Parameters = body.Parameters("parameters") ?? [],
            // The run endpoint's own reader: the same URL rules and limits (ApiLimits) for both.
            Hook = Hooks.HooksApi.Read(body, "statusHook"),
        };
        body.RefuseUnknown();
        return body.Errors.Count == 0 ? spec : null;
    }

    /// <summary>
    /// Reads <c>cron</c> (required), <c>timeZone</c> and <c>dayMatching</c>, and checks the expression and the zone
    /// independently, so that both errors are reported at once. Shared with the preview body.
    /// </summary>
    public static (string? Cron, string? TimeZone, DayMatching DayMatching) ReadCron(JsonFields body)
    {
        // Bounded by the cron parser itself (1024 characters, checked before anything else), which says so.
        var cron = body.String("cron", int.MaxValue);
        var zone = body.String("timeZone", TimeZoneIds.MaxLength);
        var dayMatching = body.Enum<DayMatching>("dayMatching") ?? DayMatching.Either;
        if (cron is null && !body.Has("cron"))
        {
            body.Add("cron", CronRequired);
        }
        else if (cron is not null)
        {
            if (string.IsNullOrWhiteSpace(cron))
            {
                body.Add("cron", CronRequired);
            }
            else
            {
                try
                {
                    CronSchedule.Parse(cron, "UTC", dayMatching);
                }
                catch (ScheduleFormatException ex)
                {
                    body.Add("cron", ex.Message);
                }
            }
        }
        if (zone is not null)
        {
            try
            {
                TimeZoneIds.Resolve(zone);
            }
            catch (ScheduleFormatException ex)
            {
                body.Add("timeZone", ex.Message + ". Accepted: UTC or a tz database name such as Europe/London (see docs/scheduling.md).");
            }
        }
        return (cron, zone, dayMatching);
    }
}
