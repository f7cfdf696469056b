using System.Globalization;
using System.Text.Json;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Parsing;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Api.Schedules;

/// <summary>
/// Reads a schedule's JSON body field by field, so that every error names its field: our names, or the Kubernetes
/// CronJob names (<c>schedule</c>, <c>startingDeadlineSeconds</c>, <c>concurrencyPolicy</c>,
/// <c>successfulJobsHistoryLimit</c>, <c>failedJobsHistoryLimit</c>) for the same settings.
/// </summary>
public static class ScheduleRequest
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["schedule"] = "cron",
        ["startingDeadlineSeconds"] = "startingDeadline",
        ["concurrencyPolicy"] = "overlap",
        ["successfulJobsHistoryLimit"] = "successfulHistoryLimit",
        ["failedJobsHistoryLimit"] = "failedHistoryLimit",
    };

    private static readonly string[] Fields =
    [
        "cron", "timeZone", "description", "suspend", "startingDeadline", "overlap", "catchUp", "catchUpWindow",
        "successfulHistoryLimit", "failedHistoryLimit", "planVersion", "parameters", "statusHook",
    ];

    public static (ScheduleSpec? Spec, List<FieldError> Errors) Read(JsonElement body)
    {
        var errors = new List<FieldError>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("body", "A schedule is a JSON object, e.g. {\"cron\": \"0 1 * * *\", \"timeZone\": \"Asia/Shanghai\"}."));
            return (null, errors);
        }
        var values = new Dictionary<string, (string Given, JsonElement Value)>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            var name = Aliases.GetValueOrDefault(property.Name, property.Name);
            if (!Fields.Contains(name))
            {
                errors.Add(new FieldError(property.Name, $"Unknown field '{property.Name}'{Suggest(property.Name)}."));
            }
            else if (values.TryGetValue(name, out var other))
            {
                errors.Add(new FieldError(property.Name, $"'{property.Name}' and '{other.Given}' set the same thing; give one."));
            }
            else
            {
                values[name] = (property.Name, property.Value);
            }
        }

        var spec = new ScheduleSpec();
        string? Text(string field)
        {
            if (!values.TryGetValue(field, out var v) || v.Value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new FieldError(v.Given, "Must be a string."));
                return null;
            }
            return v.Value.GetString();
        }
        int? Int(string field, int min, int max)
        {
            if (!values.TryGetValue(field, out var v) || v.Value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.Value.ValueKind != JsonValueKind.Number || !v.Value.TryGetInt32(out var n) || n < min || n > max)
            {
                errors.Add(new FieldError(v.Given, $"Must be a whole number from {min} to {max}."));
                return null;
            }
            return n;
        }
        TimeSpan? Duration(string field)
        {
            if (!values.TryGetValue(field, out var v) || v.Value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt64(out var seconds) && seconds > 0 && seconds <= 366L * 86400)
            {
                return TimeSpan.FromSeconds(seconds);
            }
            if (v.Value.ValueKind == JsonValueKind.String && DurationFormat.TryParse(v.Value.GetString(), out var d) && d > TimeSpan.Zero)
            {
                return d;
            }
            errors.Add(new FieldError(v.Given, "Must be a positive duration: seconds as a number, or a string such as 90s, 5m or 1h30m."));
            return null;
        }
        TEnum? Enum<TEnum>(string field) where TEnum : struct, Enum
        {
            var text = Text(field);
            if (text is null)
            {
                return null;
            }
            if (System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var parsed) && !int.TryParse(text, out _))
            {
                return parsed;
            }
            var names = string.Join(", ", System.Enum.GetNames<TEnum>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
            errors.Add(new FieldError(values[field].Given, $"'{text}' is not one of {names}."));
            return null;
        }

        var cron = Text("cron");
        var zone = Text("timeZone") ?? "UTC";
        if (string.IsNullOrWhiteSpace(cron))
        {
            errors.Add(new FieldError(values.TryGetValue("cron", out var c) ? c.Given : "cron", "Required: a cron expression (5 or 6 fields, or @hourly, @daily, ...)."));
        }
        else
        {
            try
            {
                CronSchedule.Parse(cron, "UTC");
                try
                {
                    CronSchedule.Parse(cron, zone);
                }
                catch (ScheduleFormatException ex)
                {
                    errors.Add(new FieldError("timeZone", ex.Message));
                }
            }
            catch (ScheduleFormatException ex)
            {
                errors.Add(new FieldError(values["cron"].Given, ex.Message));
            }
        }
        var description = Text("description");
        if (description is { Length: > 1000 })
        {
            errors.Add(new FieldError("description", "At most 1000 characters."));
        }
        var suspend = false;
        if (values.TryGetValue("suspend", out var s) && s.Value.ValueKind != JsonValueKind.Null)
        {
            if (s.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                suspend = s.Value.GetBoolean();
            }
            else
            {
                errors.Add(new FieldError("suspend", "Must be true or false."));
            }
        }

        spec = spec with
        {
            Cron = cron ?? "",
            TimeZone = zone,
            Description = description,
            Suspend = suspend,
            StartingDeadline = Duration("startingDeadline"),
            Overlap = Enum<OverlapPolicy>("overlap") ?? spec.Overlap,
            CatchUp = Enum<CatchUpMode>("catchUp") ?? spec.CatchUp,
            CatchUpWindow = Duration("catchUpWindow") ?? spec.CatchUpWindow,
            SuccessfulHistoryLimit = Int("successfulHistoryLimit", 0, 1000) ?? spec.SuccessfulHistoryLimit,
            FailedHistoryLimit = Int("failedHistoryLimit", 0, 1000) ?? spec.FailedHistoryLimit,
            PlanVersion = Int("planVersion", 1, int.MaxValue),
            Parameters = Parameters(values, errors),
            Hook = Hook(values, errors),
        };
        return (errors.Count == 0 ? spec : null, errors);
    }

    private static Dictionary<string, string> Parameters(Dictionary<string, (string Given, JsonElement Value)> values, List<FieldError> errors)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!values.TryGetValue("parameters", out var v) || v.Value.ValueKind == JsonValueKind.Null)
        {
            return result;
        }
        if (v.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("parameters", "Must be an object of parameter names to values."));
            return result;
        }
        foreach (var p in v.Value.EnumerateObject())
        {
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.String:
                    result[p.Name] = p.Value.GetString()!;
                    break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    result[p.Name] = p.Value.GetRawText();
                    break;
                default:
                    errors.Add(new FieldError($"parameters.{p.Name}", "Must be a string, a number or a boolean."));
                    break;
            }
        }
        return result;
    }

    /// <summary>Reads {"url": ..., "secret": ...}: an absolute http(s) URL and an optional signing secret.</summary>
    public static StatusHook? Hook(Dictionary<string, (string Given, JsonElement Value)> values, List<FieldError> errors)
    {
        if (!values.TryGetValue("statusHook", out var v) || v.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (v.Value.ValueKind != JsonValueKind.Object
            || !v.Value.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError("statusHook.url", "Required: the absolute http or https URL status changes are posted to."));
            return null;
        }
        if (!Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add(new FieldError("statusHook.url", $"'{url.GetString()}' is not an absolute http or https URL."));
            return null;
        }
        string? secret = null;
        if (v.Value.TryGetProperty("secret", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind != JsonValueKind.String || s.GetString()!.Length is 0 or > 256)
            {
                errors.Add(new FieldError("statusHook.secret", "Must be a string of 1 to 256 characters."));
                return null;
            }
            secret = s.GetString();
        }
        return new StatusHook(uri.ToString(), secret);
    }

    private static string Suggest(string name)
    {
        var best = Fields.Concat(Aliases.Keys)
            .Select(f => (f, d: Distance(f.ToLowerInvariant(), name.ToLowerInvariant())))
            .OrderBy(x => x.d).First();
        return best.d <= 3 ? $"; did you mean '{best.f}'?" : $"; known fields: {string.Join(", ", Fields)}";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }
        return d[a.Length, b.Length];
    }

    /// <summary>The next <paramref name="count"/> fire times after <paramref name="from"/>, in UTC and in the schedule's zone.</summary>
    public static IReadOnlyList<object> Preview(string cron, string timeZone, DateTimeOffset from, int count)
    {
        var schedule = CronSchedule.Parse(cron, timeZone);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var list = new List<object>(count);
        var t = from;
        for (var i = 0; i < count; i++)
        {
            t = schedule.NextAfter(t);
            if (t == DateTimeOffset.MaxValue)
            {
                break;
            }
            var local = TimeZoneInfo.ConvertTime(t, zone);
            list.Add(new { utc = t, local = local.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture), daylightSaving = zone.IsDaylightSavingTime(local) });
        }
        return list;
    }
}
