using System.Globalization;
using System.Text.Json;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Api.Jobs;

public static partial class BuiltinJobs
{
    private const string HeadersField = "job.parameters.headers";

    /// <summary>
    /// The http job's headers, from <c>header.&lt;Name&gt;</c> parameters and the <c>headers</c> JSON object, with the
    /// job field each came from. Each name is an HTTP token of at most 128 characters, given once (names ignore case,
    /// as HTTP's do); each value a string of at most <see cref="PlanLimits.MaxHeaderValueLength"/> characters without
    /// control characters (a tab is allowed), so a value can never end the header line or carry a NUL; at most
    /// <see cref="PlanLimits.MaxHeaders"/> headers in all — the plan format's bounds for an http step.
    /// </summary>
    private static (Dictionary<string, string> Headers, Dictionary<string, string> Fields, IResult? Error) ReadHeaders(
        IReadOnlyDictionary<string, string> given, string json)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in given.Where(p => p.Key.StartsWith(HeaderPrefix, StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var header = key[HeaderPrefix.Length..];
            if (Add(header, value, IsToken(header) ? "job.parameters." + key : Common.JsonFields.Path("job.parameters", key)) is { } error)
            {
                return (headers, fields, error);
            }
        }
        if (json.Length > 0)
        {
            if (ReadHeadersJson(json, Add) is { } error)
            {
                return (headers, fields, error);
            }
        }
        if (headers.Count > PlanLimits.MaxHeaders)
        {
            return (headers, fields, HarborErrors.Field(HeadersField, $"{headers.Count} headers; at most {PlanLimits.MaxHeaders} are allowed."));
        }
        return (headers, fields, null);

        IResult? Add(string header, string? value, string field)
        {
            if (!IsToken(header))
            {
                return HarborErrors.Field(field, $"{Common.Quote.Of(header)} is not a header name: 1 to 128 letters, digits and !#$%&'*+-.^_`|~.");
            }
            if (fields.TryGetValue(header, out var earlier))
            {
                return HarborErrors.Field(field, $"header '{header}' is given twice (also as {earlier}); header names ignore case.");
            }
            if (CheckHeaderValue(value) is { } why)
            {
                return HarborErrors.Field(field, why);
            }
            headers[header] = value!;
            fields[header] = field;
            return null;
        }
    }

    /// <summary>The <c>headers</c> parameter: a JSON object of header names and string values.</summary>
    private static IResult? ReadHeadersJson(string json, Func<string, string?, string, IResult?> add)
    {
        const string Shape = "must be a JSON object of header names and string values.";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return HarborErrors.Field(HeadersField, Shape);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return HarborErrors.Field(HeadersField, Shape);
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                string name;
                string? value;
                try
                {
                    name = property.Name;
                    value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                }
                catch (InvalidOperationException)
                {
                    return HarborErrors.Field(HeadersField, "is not valid Unicode (a lone surrogate escape such as \\ud800).");
                }
                var field = IsToken(name) ? $"{HeadersField}.{name}" : Common.JsonFields.Path(HeadersField, name);
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    return HarborErrors.Field(field, $"must be a string, not {Common.JsonFields.Describe(property.Value)}.");
                }
                if (add(name, value, field) is { } error)
                {
                    return error;
                }
            }
        }
        return null;
    }

    /// <summary>Why a header value cannot be sent, or null.</summary>
    private static string? CheckHeaderValue(string? value)
    {
        if (value is null)
        {
            return "a header needs a value (a string).";
        }
        if (value.Length > PlanLimits.MaxHeaderValueLength)
        {
            return $"a header value is at most {PlanLimits.MaxHeaderValueLength} characters; this one has {value.Length}.";
        }
        var control = FirstControl(value);
        return control < 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"a header value is one line of text without control characters; this one has U+{(int)value[control]:X4} at {control}.");
    }

    private static int FirstControl(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsControl(value[i]) && value[i] != '\t')
            {
                return i;
            }
        }
        return -1;
    }

    private static bool IsToken(string name) => name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));

    /// <summary>
    /// The plan and its values when <see cref="PlanValidator"/> finds nothing wrong; else Harbor's 400 naming, for each
    /// error, the job parameter that fed the field (<c>steps[0].http.url</c> is <c>job.parameters.url</c>). The plan
    /// format's own checks thus hold for a built-in job as for any stored plan, whatever this class checks itself.
    /// </summary>
    private static (PlanDefinition?, IReadOnlyDictionary<string, string>?, IResult?) Checked(PlanDefinition plan, IReadOnlyDictionary<string, string> values,
        IReadOnlyDictionary<string, string> fields)
    {
        var errors = PlanValidator.Validate(plan);
        return errors.Count == 0
            ? (plan, values, null)
            : (null, null, HarborErrors.Fields([.. errors.Select(e => new Common.FieldError(FieldOf(e.Path, plan, fields), e.Message))]));
    }

    /// <summary>The job field behind a path of the built plan (see <see cref="Checked"/>).</summary>
    internal static string FieldOf(string path, PlanDefinition plan, IReadOnlyDictionary<string, string> fields)
    {
        const string Parameters = "parameters[";
        if (path.StartsWith(Parameters, StringComparison.Ordinal)
            && int.TryParse(path.AsSpan(Parameters.Length, Math.Max(0, path.IndexOf(']', StringComparison.Ordinal) - Parameters.Length)), NumberStyles.None,
                CultureInfo.InvariantCulture, out var index)
            && index < plan.Parameters.Count)
        {
            var name = plan.Parameters[index].Name;
            return fields.GetValueOrDefault(name) ?? "job.parameters." + name;
        }
        const string Step = "steps[0].";
        if (!path.StartsWith(Step, StringComparison.Ordinal))
        {
            return "job.parameters";
        }
        var field = path[Step.Length..];
        const string Headers = "http.headers.";
        if (field.StartsWith(Headers, StringComparison.Ordinal))
        {
            return fields.GetValueOrDefault("header:" + field[Headers.Length..]) ?? HeadersField;
        }
        string[] sources =
        [
            "http.url", "url", "http.method", "method", "http.body", "body", "http.headers", "headers", "http.expectStatus", "expect_status",
            "http.timeout", "timeout", "execution.targetTimeout", "timeout", "script.interpreter", "interpreter", "script.source", "script",
            "targets", "host",
        ];
        for (var i = 0; i < sources.Length; i += 2)
        {
            if (field == sources[i] || field.StartsWith(sources[i] + ".", StringComparison.Ordinal) || field.StartsWith(sources[i] + "[", StringComparison.Ordinal))
            {
                return "job.parameters." + sources[i + 1];
            }
        }
        return "job.parameters";
    }
}
