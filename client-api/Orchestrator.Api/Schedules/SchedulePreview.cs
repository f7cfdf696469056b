using System.Globalization;
using System.Text.Json;
using Orchestrator.Api.Common;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Api.Schedules;

/// <summary>Fire times of a cron expression for the preview calls, and the body of <c>POST /api/v1/schedules/preview</c>.</summary>
public static class SchedulePreview
{
    /// <summary>The most fire times one preview lists.</summary>
    public const int MaxCount = 1000;

    public const int DefaultCount = 10;

    private static readonly string[] Fields = ["cron", "timeZone", "dayMatching", "count", "from"];

    /// <summary>
    /// The next <paramref name="count"/> fire times after <paramref name="from"/>, in UTC and in the schedule's zone;
    /// fewer when the calendar ends first (9999-12-29).
    /// </summary>
    public static IReadOnlyList<object> Fires(CronSchedule schedule, DateTimeOffset from, int count)
    {
        var list = new List<object>(Math.Min(count, MaxCount));
        var t = from;
        for (var i = 0; i < count && schedule.TryNextAfter(t, out t); i++)
        {
            var local = TimeZoneInfo.ConvertTime(t, schedule.TimeZone);
            list.Add(new
            {
                utc = t,
                local = local.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
                daylightSaving = schedule.TimeZone.IsDaylightSavingTime(local),
            });
        }
        return list;
    }

    /// <summary>Reads <c>{"cron", "timeZone", "dayMatching", "count", "from"}</c>; every error names its field.</summary>
    public static (Request? Request, List<FieldError> Errors) Read(JsonElement body, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        var values = new Dictionary<string, (string Given, JsonElement Value)>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (!Fields.Contains(property.Name))
            {
                errors.Add(new FieldError(ScheduleBody.PathOf("", property.Name), $"Unknown field '{property.Name}'{ScheduleRequest.Suggest(property.Name, Fields)}."));
            }
            else if (!values.TryAdd(property.Name, (property.Name, property.Value)))
            {
                errors.Add(new FieldError(property.Name, $"'{property.Name}' is given twice; give it once."));
            }
        }
        var fields = new ScheduleRequest.FieldReader(values, errors);
        var cron = fields.Text("cron");
        var zone = fields.Text("timeZone") ?? "UTC";
        var dayMatching = fields.Enum<DayMatching>("dayMatching") ?? DayMatching.Either;
        var count = fields.Int("count", 1, MaxCount) ?? DefaultCount;
        DateTimeOffset from = now;
        if (fields.Has("from"))
        {
            if (fields.Text("from") is { } text)
            {
                var (parsed, error) = ScheduleQuery.ParseTime("from", text);
                if (error is not null)
                {
                    errors.Add(error);
                }
                from = parsed ?? now;
            }
        }
        if (cron is null && !fields.Has("cron"))
        {
            errors.Add(new FieldError("cron", "Required: a cron expression (5 or 6 fields, or @hourly, @daily, ...)."));
        }
        ScheduleRequest.CheckCron(cron, "cron", fields.Has("timeZone") ? zone : null, dayMatching, errors);
        return errors.Count == 0 ? (new Request(cron!, zone, dayMatching, count, from), errors) : (null, errors);
    }

    /// <summary>A checked preview request.</summary>
    public sealed record Request(string Cron, string TimeZone, DayMatching DayMatching, int Count, DateTimeOffset From);
}
