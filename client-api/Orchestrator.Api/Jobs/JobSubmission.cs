using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Api.Jobs;

/// <summary>Harbor's job kinds.</summary>
public static class JobKinds
{
    public const string Generic = "Generic";
    public const string Scheduled = "Scheduled";
    public const string Periodic = "Periodic";

    public static readonly IReadOnlyList<string> All = [Generic, Scheduled, Periodic];
}

/// <summary>
/// A checked <c>POST /api/v1/jobs</c> body: <c>{"job": {"name", "parameters", "status_hook", "metadata": {"kind",
/// "schedule_delay", "cron_spec", "unique"}}}</c>. Parameter values are strings: scalars as their text, an array of
/// scalars joined with commas (a host list); objects only where a built-in kind takes JSON (see <see cref="BuiltinJobs"/>).
/// </summary>
public sealed record JobSubmission(
    string Name,
    string Kind,
    TimeSpan? Delay,
    string? Cron,
    bool Unique,
    Uri? Hook,
    IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>Parses and checks the body; the error names the field.</summary>
    public static (JobSubmission? Submission, IResult? Error) Parse(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            return (null, HarborErrors.Field("body", $"not JSON: {e.Message}"));
        }
        if (root is not JsonObject body || body["job"] is not JsonObject job)
        {
            return (null, HarborErrors.Field("job", "the body must be {\"job\": {...}}."));
        }
        if (job["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var name) || string.IsNullOrWhiteSpace(name))
        {
            return (null, HarborErrors.Field("job.name", "required: a stored plan id or a built-in kind (" + string.Join(", ", BuiltinJobs.Names) + ")."));
        }
        name = name.Trim();
        if (!BuiltinJobs.Names.Contains(name) && Common.Ids.Check("job.name", name) is not null)
        {
            return (null, HarborErrors.Field("job.name", $"'{name}' is not a plan id: 1 to 128 letters, digits, '-', '_' or '.'."));
        }
        if (job["metadata"] is not JsonObject metadata)
        {
            return (null, HarborErrors.Field("job.metadata", "required: an object with kind (Generic, Scheduled or Periodic)."));
        }
        if (metadata["kind"] is not JsonValue kindValue || !kindValue.TryGetValue<string>(out var kindText)
            || JobKinds.All.FirstOrDefault(k => string.Equals(k, kindText, StringComparison.OrdinalIgnoreCase)) is not { } kind)
        {
            return (null, HarborErrors.Field("job.metadata.kind", $"'{metadata["kind"]?.ToJsonString()}' is not a job kind; use Generic, Scheduled or Periodic."));
        }

        TimeSpan? delay = null;
        if (kind == JobKinds.Scheduled)
        {
            if (metadata["schedule_delay"] is not JsonValue delayValue || !TryInteger(delayValue, out var seconds))
            {
                return (null, HarborErrors.Field("job.metadata.schedule_delay", $"required for a Scheduled job: whole seconds, got {metadata["schedule_delay"]?.ToJsonString() ?? "nothing"}."));
            }
            if (seconds < 0 || seconds > (long)TimeSpan.FromDays(3650).TotalSeconds)
            {
                return (null, HarborErrors.Field("job.metadata.schedule_delay", $"{seconds} is out of range: 0 to 10 years in seconds."));
            }
            delay = TimeSpan.FromSeconds(seconds);
        }

        string? cron = null;
        if (kind == JobKinds.Periodic)
        {
            if (metadata["cron_spec"] is not JsonValue cronValue || !cronValue.TryGetValue(out cron) || string.IsNullOrWhiteSpace(cron))
            {
                return (null, HarborErrors.Field("job.metadata.cron_spec", "required for a Periodic job: a cron expression (6 fields with seconds, or 5)."));
            }
            cron = cron.Trim();
            try
            {
                CronSchedule.Parse(cron, "UTC");
            }
            catch (ScheduleFormatException e)
            {
                return (null, HarborErrors.Field("job.metadata.cron_spec", $"'{cron}' is not a cron expression: {e.Message}"));
            }
        }

        var unique = false;
        if (metadata["unique"] is { } uniqueNode && (uniqueNode is not JsonValue uniqueValue || !uniqueValue.TryGetValue(out unique)))
        {
            return (null, HarborErrors.Field("job.metadata.unique", $"must be true or false, got {uniqueNode.ToJsonString()}."));
        }

        Uri? hook = null;
        if (job["status_hook"] is { } hookNode)
        {
            if (hookNode is not JsonValue hookValue || !hookValue.TryGetValue<string>(out var hookText))
            {
                return (null, HarborErrors.Field("job.status_hook", $"must be a URL string, got {hookNode.ToJsonString()}."));
            }
            if (hookText.Length > 0
                && (!Uri.TryCreate(hookText, UriKind.Absolute, out hook) || hook.Scheme is not ("http" or "https") || hookText.Length > 2048))
            {
                return (null, HarborErrors.Field("job.status_hook", $"'{hookText}' is not an absolute http or https URL."));
            }
        }

        var (parameters, parameterError) = ReadParameters(job["parameters"], name);
        return parameterError is not null ? (null, parameterError) : (new JobSubmission(name, kind, delay, cron, unique, hook, parameters!), null);
    }

    /// <summary>Name and parameters in one canonical text (keys in ordinal order): what makes two unique jobs the same.</summary>
    public string UniqueKey()
    {
        var canonical = new JsonObject();
        foreach (var (key, value) in Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            canonical[key] = value;
        }
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(Name + "\n" + canonical.ToJsonString()));
        return "u-" + Convert.ToHexStringLower(digest);
    }

    private static (IReadOnlyDictionary<string, string>? Values, IResult? Error) ReadParameters(JsonNode? node, string name)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null)
        {
            return (values, null);
        }
        if (node is not JsonObject parameters)
        {
            return (null, HarborErrors.Field("job.parameters", $"must be an object of name: value, got {node.ToJsonString()}."));
        }
        foreach (var (key, value) in parameters)
        {
            var field = "job.parameters." + key;
            switch (value)
            {
                case null:
                    continue;
                case JsonValue scalar:
                    values[key] = Scalar(scalar);
                    break;
                case JsonArray array when array.All(i => i is JsonValue):
                    values[key] = string.Join(",", array.Select(i => Scalar((JsonValue)i!)));
                    break;
                case JsonObject when BuiltinJobs.TakesJson(name, key):
                    values[key] = value.ToJsonString();
                    break;
                default:
                    return (null, HarborErrors.Field(field, "a nested object or array cannot be a plan parameter; give a string, number, boolean or a list of them."));
            }
        }
        return (values, null);
    }

    private static string Scalar(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.ToJsonString(),
    };

    private static bool TryInteger(JsonValue value, out long result)
    {
        result = 0;
        return value.GetValueKind() switch
        {
            JsonValueKind.Number => value.TryGetValue(out result),
            JsonValueKind.String => long.TryParse(value.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out result),
            _ => false,
        };
    }
}
