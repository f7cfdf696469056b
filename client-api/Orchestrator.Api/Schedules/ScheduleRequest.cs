using System.Text.Json;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Parsing;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Api.Schedules;

/// <summary>
/// Reads a schedule's JSON body field by field, so that every error names its field: our names, or the Kubernetes
/// CronJob names (<c>schedule</c>, <c>startingDeadlineSeconds</c>, <c>concurrencyPolicy</c>,
/// <c>successfulJobsHistoryLimit</c>, <c>failedJobsHistoryLimit</c>) for the same settings. The bounds are in
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

    public const int MaxHookUrl = 2048;

    public const int MaxHookSecret = 256;

    public const string Example = "{\"cron\": \"0 1 * * *\", \"timeZone\": \"Asia/Shanghai\"}";

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
        "cron", "timeZone", "dayMatching", "description", "suspend", "startingDeadline", "overlap", "catchUp", "catchUpWindow",
        "successfulHistoryLimit", "failedHistoryLimit", "planVersion", "parameters", "statusHook",
    ];

    private static readonly string[] HookFields = ["url", "secret"];

    public static (ScheduleSpec? Spec, List<FieldError> Errors) Read(JsonElement body)
    {
        var errors = new List<FieldError>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("body", $"A schedule is a JSON object, e.g. {Example}."));
            return (null, errors);
        }
        var values = new Dictionary<string, (string Given, JsonElement Value)>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            var name = Aliases.GetValueOrDefault(property.Name, property.Name);
            if (!Fields.Contains(name))
            {
                errors.Add(new FieldError(ScheduleBody.PathOf("", property.Name), $"Unknown field '{property.Name}'{Suggest(property.Name, Fields.Concat(Aliases.Keys))}."));
            }
            else if (values.TryGetValue(name, out var other))
            {
                errors.Add(new FieldError(property.Name, other.Given == property.Name
                    ? $"'{property.Name}' is given twice; give it once."
                    : $"'{property.Name}' and '{other.Given}' set the same thing; give one."));
            }
            else
            {
                values[name] = (property.Name, property.Value);
            }
        }
        var fields = new FieldReader(values, errors);

        var cron = fields.Text("cron");
        var zone = fields.Text("timeZone") ?? "UTC";
        var dayMatching = fields.Enum<DayMatching>("dayMatching") ?? DayMatching.Either;
        if (cron is null && !fields.Has("cron"))
        {
            errors.Add(new FieldError("cron", "Required: a cron expression (5 or 6 fields, or @hourly, @daily, ...)."));
        }
        CheckCron(cron, fields.Given("cron"), fields.Has("timeZone") ? zone : null, dayMatching, errors);
        var description = fields.Text("description");
        if (description is { Length: > MaxDescription })
        {
            errors.Add(new FieldError("description", $"At most {MaxDescription} characters."));
        }
        else if (description is not null && description.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
        {
            errors.Add(new FieldError("description", "Cannot contain control characters other than tab and line breaks."));
        }

        var spec = new ScheduleSpec();
        spec = spec with
        {
            Cron = cron ?? "",
            TimeZone = zone,
            DayMatching = dayMatching,
            Description = description,
            Suspend = fields.Bool("suspend") ?? false,
            StartingDeadline = fields.Duration("startingDeadline"),
            Overlap = fields.Enum<OverlapPolicy>("overlap") ?? spec.Overlap,
            CatchUp = fields.Enum<CatchUpMode>("catchUp") ?? spec.CatchUp,
            CatchUpWindow = fields.Duration("catchUpWindow") ?? spec.CatchUpWindow,
            SuccessfulHistoryLimit = fields.Int("successfulHistoryLimit", 0, MaxHistoryLimit) ?? spec.SuccessfulHistoryLimit,
            FailedHistoryLimit = fields.Int("failedHistoryLimit", 0, MaxHistoryLimit) ?? spec.FailedHistoryLimit,
            PlanVersion = fields.Int("planVersion", 1, int.MaxValue),
            Parameters = Parameters(values, errors),
            Hook = Hook(values, errors),
        };
        return (errors.Count == 0 ? spec : null, errors);
    }

    /// <summary>
    /// Checks a cron expression (path <paramref name="cronPath"/>) and, when given, a time zone id (path
    /// <c>timeZone</c>) independently, so that both errors are reported at once.
    /// </summary>
    public static void CheckCron(string? cron, string cronPath, string? zone, DayMatching dayMatching, List<FieldError> errors)
    {
        if (cron is not null)
        {
            if (string.IsNullOrWhiteSpace(cron))
            {
                errors.Add(new FieldError(cronPath, "Required: a cron expression (5 or 6 fields, or @hourly, @daily, ...)."));
            }
            else
            {
                try
                {
                    CronSchedule.Parse(cron, "UTC", dayMatching);
                }
                catch (ScheduleFormatException ex)
                {
                    errors.Add(new FieldError(cronPath, ex.Message));
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
                errors.Add(new FieldError("timeZone", ex.Message + $". Accepted: UTC or a tz database name such as Europe/London (see docs/scheduling.md)."));
            }
        }
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
            errors.Add(new FieldError("parameters", $"Must be an object of parameter names to values, not {Kind(v.Value)}."));
            return result;
        }
        foreach (var p in v.Value.EnumerateObject())
        {
            var path = ScheduleBody.PathOf("parameters", p.Name);
            if (result.ContainsKey(p.Name))
            {
                errors.Add(new FieldError(path, "Given twice; give it once."));
                continue;
            }
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.String:
                    result[p.Name] = p.Value.GetString()!;
                    break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    result[p.Name] = p.Value.GetRawText();
                    break;
                default:
                    errors.Add(new FieldError(path, $"Must be a string, a number or a boolean, not {Kind(p.Value)}."));
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
        if (v.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("statusHook", $"Must be an object {{\"url\": \"https://...\", \"secret\": \"...\"}}, not {Kind(v.Value)}."));
            return null;
        }
        var before = errors.Count;
        foreach (var p in v.Value.EnumerateObject())
        {
            if (!HookFields.Contains(p.Name))
            {
                errors.Add(new FieldError(ScheduleBody.PathOf("statusHook", p.Name), $"Unknown field '{p.Name}'{Suggest(p.Name, HookFields)}."));
            }
        }
        if (!v.Value.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError("statusHook.url", "Required: the absolute http or https URL status changes are posted to."));
        }
        else if (url.GetString()!.Length > MaxHookUrl)
        {
            errors.Add(new FieldError("statusHook.url", $"At most {MaxHookUrl} characters."));
        }
        else if (!Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add(new FieldError("statusHook.url", $"'{url.GetString()}' is not an absolute http or https URL."));
        }
        string? secret = null;
        if (v.Value.TryGetProperty("secret", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind != JsonValueKind.String || s.GetString()!.Length is 0 or > MaxHookSecret)
            {
                errors.Add(new FieldError("statusHook.secret", $"Must be a string of 1 to {MaxHookSecret} characters."));
            }
            else
            {
                secret = s.GetString();
            }
        }
        return errors.Count == before ? new StatusHook(new Uri(url.GetString()!).ToString(), secret) : null;
    }

    /// <summary>What a JSON value is, with its article: "an object", "a number", ...</summary>
    internal static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    internal static string Suggest(string name, IEnumerable<string> known)
    {
        var list = known.ToList();
        var best = list
            .Select(f => (f, d: Distance(f.ToLowerInvariant(), name.Length > 64 ? name[..64].ToLowerInvariant() : name.ToLowerInvariant())))
            .OrderBy(x => x.d).First();
        return best.d <= 3 ? $"; did you mean '{best.f}'?" : $"; known fields: {string.Join(", ", list)}";
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

    /// <summary>Typed reads of the body's fields; each failure is added to the errors under the name the caller used.</summary>
    internal sealed class FieldReader(Dictionary<string, (string Given, JsonElement Value)> values, List<FieldError> errors)
    {
        public bool Has(string field) => values.TryGetValue(field, out var v) && v.Value.ValueKind != JsonValueKind.Null;

        public string Given(string field) => values.TryGetValue(field, out var v) ? v.Given : field;

        public string? Text(string field)
        {
            if (!values.TryGetValue(field, out var v) || v.Value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new FieldError(v.Given, $"Must be a string, not {Kind(v.Value)}."));
                return null;
            }
            return v.Value.GetString();
        }

        public bool? Bool(string field)
        {
            if (!values.TryGetValue(field, out var v) || v.Value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (v.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return v.Value.GetBoolean();
            }
            errors.Add(new FieldError(v.Given, $"Must be true or false, not {Kind(v.Value)}."));
            return null;
        }

        public int? Int(string field, int min, int max)
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

        /// <summary>A duration from <see cref="MinDuration"/> to <see cref="MaxDuration"/>: whole seconds as a number, or a duration string.</summary>
        public TimeSpan? Duration(string field)
        {
            if (!values.TryGetValue(field, out var v) || v.Value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            TimeSpan? duration = v.Value.ValueKind switch
            {
                JsonValueKind.Number when v.Value.TryGetInt64(out var seconds) && seconds > 0 && seconds <= (long)MaxDuration.TotalSeconds => TimeSpan.FromSeconds(seconds),
                JsonValueKind.String when DurationFormat.TryParse(v.Value.GetString(), out var d) => d,
                _ => null,
            };
            if (duration is { } ok && ok >= MinDuration && ok <= MaxDuration)
            {
                return ok;
            }
            errors.Add(new FieldError(v.Given,
                $"Must be a positive duration from 1s to 366d: whole seconds as a number (at most {(long)MaxDuration.TotalSeconds}), or a string such as 90s, 5m or 1h30m."));
            return null;
        }

        /// <summary>One of the enum's names, camelCase or any case (no numbers, no comma lists).</summary>
        public TEnum? Enum<TEnum>(string field) where TEnum : struct, Enum
        {
            var text = Text(field);
            if (text is null)
            {
                return null;
            }
            foreach (var value in System.Enum.GetValues<TEnum>())
            {
                if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }
            var names = string.Join(", ", System.Enum.GetNames<TEnum>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
            errors.Add(new FieldError(values[field].Given, $"'{(text.Length > 64 ? text[..64] + "…" : text)}' is not one of {names}."));
            return null;
        }
    }
}
