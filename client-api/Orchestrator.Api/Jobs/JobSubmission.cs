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
    /// <summary>
    /// Checks a body read by <see cref="Common.JsonBody"/> (an object); the error names the field. Fields Harbor's
    /// contract does not have are refused with the name probably meant, as a typo would otherwise run a job that
    /// differs from the one asked for.
    /// </summary>
    public static (JobSubmission? Submission, IResult? Error) Parse(JsonElement root)
    {
        var body = Common.JsonFields.Of(root);
        var job = body.Object("job");
        body.RefuseUnknown();
        if (body.Errors.Count > 0)
        {
            return (null, HarborErrors.Fields(body.Errors));
        }
        if (job is null)
        {
            return (null, HarborErrors.Field("job", "the body must be {\"job\": {...}}."));
        }
        var name = job.String("name", JobIds.MaxLength);
        var parametersNode = job.Raw("parameters");
        var hookText = job.String("status_hook", Common.ApiLimits.MaxUrlLength);
        var metadata = job.Object("metadata");
        job.RefuseUnknown();
        var kindText = metadata?.String("kind", 32);
        var delayNode = metadata?.Raw("schedule_delay");
        var cronText = metadata?.String("cron_spec", 256);
        var unique = metadata?.Bool("unique") ?? false;
        metadata?.RefuseUnknown();
        if (body.Errors.Count > 0)
        {
            return (null, HarborErrors.Fields(body.Errors));
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return (null, HarborErrors.Field("job.name", "required: a stored plan id or a built-in kind (" + string.Join(", ", BuiltinJobs.Names) + ")."));
        }
        name = name.Trim();
        if (!BuiltinJobs.Names.Contains(name) && !Common.Ids.IsValid(name))
        {
            return (null, HarborErrors.Field("job.name", $"{Common.Quote.Of(name)} is not a plan id: {Common.Ids.Rule}."));
        }
        if (metadata is null)
        {
            return (null, HarborErrors.Field("job.metadata", "required: an object with kind (Generic, Scheduled or Periodic)."));
        }
        if (JobKinds.All.FirstOrDefault(k => string.Equals(k, kindText, StringComparison.OrdinalIgnoreCase)) is not { } kind)
        {
            return (null, HarborErrors.Field("job.metadata.kind", $"{Common.Quote.Of(kindText)} is not a job kind; use Generic, Scheduled or Periodic."));
        }

        TimeSpan? delay = null;
        if (kind == JobKinds.Scheduled)
        {
            if (delayNode is not { } delayValue || !TryInteger(delayValue, out var seconds))
            {
                return (null, HarborErrors.Field("job.metadata.schedule_delay", $"required for a Scheduled job: whole seconds, got {(delayNode is { } d ? Common.Quote.Of(d.GetRawText()) : "nothing")}."));
            }
            if (seconds < 0 || seconds > (long)Common.ApiLimits.MaxDelay.TotalSeconds)
            {
                return (null, HarborErrors.Field("job.metadata.schedule_delay", $"{seconds} is out of range: 0 to {(long)Common.ApiLimits.MaxDelay.TotalSeconds} seconds ({Common.ApiLimits.MaxDelay.TotalDays:0} days)."));
            }
            delay = TimeSpan.FromSeconds(seconds);
        }

        string? cron = null;
        if (kind == JobKinds.Periodic)
        {
            if (string.IsNullOrWhiteSpace(cronText))
            {
                return (null, HarborErrors.Field("job.metadata.cron_spec", "required for a Periodic job: a cron expression (6 fields with seconds, or 5)."));
            }
            cron = cronText.Trim();
            try
            {
                CronSchedule.Parse(cron, "UTC");
            }
            catch (ScheduleFormatException e)
            {
                return (null, HarborErrors.Field("job.metadata.cron_spec", $"{Common.Quote.Of(cron)} is not a cron expression: {e.Message}"));
            }
        }

        Uri? hook = null;
        if (!string.IsNullOrEmpty(hookText) && Hooks.HooksApi.CheckUrl(hookText, out hook) is { } why)
        {
            return (null, HarborErrors.Field("job.status_hook", why));
        }

        var (parameters, parameterError) = ReadParameters(parametersNode, name);
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

    private static (IReadOnlyDictionary<string, string>? Values, IResult? Error) ReadParameters(JsonElement? node, string name)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not { } parameters)
        {
            return (values, null);
        }
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return (null, HarborErrors.Field("job.parameters", $"must be an object of name: value, got {Common.JsonFields.Describe(parameters)}."));
        }
        foreach (var property in parameters.EnumerateObject())
        {
            var key = property.Name;
            var value = property.Value;
            var field = Common.JsonFields.Path("job.parameters", key);
            if (values.Count >= Common.ApiLimits.MaxParameters)
            {
                return (null, HarborErrors.Field("job.parameters", $"more than {Common.ApiLimits.MaxParameters} parameters."));
            }
            string text;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    continue;
                case JsonValueKind.Object when BuiltinJobs.TakesJson(name, key):
                    text = value.GetRawText();
                    break;
                case JsonValueKind.Array when value.EnumerateArray().All(IsScalar):
                    text = string.Join(",", value.EnumerateArray().Select(Scalar));
                    break;
                case JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    text = Scalar(value);
                    break;
                default:
                    return (null, HarborErrors.Field(field, "a nested object or array cannot be a plan parameter; give a string, number, boolean or a list of them."));
            }
            if (text.Length > Common.ApiLimits.MaxParameterValueLength)
            {
                return (null, HarborErrors.Field(field, $"longer than {Common.ApiLimits.MaxParameterValueLength} characters ({text.Length})."));
            }
            values[key] = text;
        }
        return (values, null);
    }

    private static bool IsScalar(JsonElement value) => value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    private static bool TryInteger(JsonElement value, out long result)
    {
        result = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out result),
            JsonValueKind.String => Common.QueryValues.TryWhole(value.GetString(), long.MinValue, long.MaxValue, out result),
            _ => false,
        };
    }
}
