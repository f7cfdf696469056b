using System.Globalization;
using Orchestrator.Api.Common;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Api.Schedules;

/// <summary>Fire times of a cron expression for the preview calls, and the body of <c>POST /api/v1/schedules/preview</c>.</summary>
public static class SchedulePreview
{
    /// <summary>The most fire times one preview lists.</summary>
    public const int MaxCount = 1000;

    public const int DefaultCount = 10;

    /// <summary>The earliest preview start accepted.</summary>
    public static readonly DateTimeOffset MinFrom = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The latest preview start accepted (fire times stop at the end of 9999-12-29).</summary>
    public static readonly DateTimeOffset MaxFrom = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The next <paramref name="count"/> fire times after <paramref name="from"/>, in UTC and in the schedule's zone;
    /// fewer when the calendar ends first (9999-12-29).
    /// </summary>
    public static IReadOnlyList<FireTime> Fires(CronSchedule schedule, DateTimeOffset from, int count)
    {
        var list = new List<FireTime>(Math.Min(count, MaxCount));
        var t = from;
        for (var i = 0; i < count && schedule.TryNextAfter(t, out t); i++)
        {
            var local = TimeZoneInfo.ConvertTime(t, schedule.TimeZone);
            list.Add(new FireTime(t, local.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture), schedule.TimeZone.IsDaylightSavingTime(local)));
        }
        return list;
    }

    /// <summary>Reads <c>{"cron", "timeZone", "dayMatching", "count", "from"}</c>; null when the body breaks a rule (the errors are in <paramref name="body"/>).</summary>
    public static Request? Read(JsonFields body, DateTimeOffset now)
    {
        var (cron, zone, dayMatching) = ScheduleRequest.ReadCron(body);
        var count = body.Int("count", 1, MaxCount) ?? DefaultCount;
        var from = body.Time("from", MinFrom, MaxFrom) ?? now;
        body.RefuseUnknown();
        return body.Errors.Count == 0 ? new Request(cron!, zone ?? "UTC", dayMatching, count, from) : null;
    }

    /// <summary>A checked preview request.</summary>
    public sealed record Request(string Cron, string TimeZone, DayMatching DayMatching, int Count, DateTimeOffset From);
}
