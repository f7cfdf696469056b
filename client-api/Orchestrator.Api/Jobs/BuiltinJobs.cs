using System.Globalization;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parameters;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Job names that need no stored plan: each becomes an ad-hoc one-step plan carried by the task instance (or the
/// schedule). <c>script</c>: <c>host</c> (required; a host list), <c>script</c> (required), <c>interpreter</c> (sh),
/// <c>timeout</c>. <c>http</c>: <c>url</c> (required), <c>method</c> (GET), <c>body</c>, <c>headers</c> (a JSON object,
/// or one <c>header.&lt;Name&gt;</c> parameter per header), <c>host</c> (local), <c>expect_status</c> (codes or classes,
/// comma-separated: <c>200,204</c>, <c>2xx</c>), <c>timeout</c>. These names are reserved: a stored plan with one of
/// them cannot be run through the jobs API.
/// <para>
/// Header values are credentials more often than not (<c>PRIVATE-TOKEN</c>, <c>Authorization</c>), and so is a URL's
/// user name and password: the http plan holds each as a secret parameter (<c>header_&lt;Name&gt;</c>,
/// <c>url_userinfo</c>) that the step references, so that views show <c>***</c> and logs mask the value. The
/// <c>headers</c> parameter is a secret too, and the <c>url</c> parameter shows the URL without its user information.
/// </para>
/// <para>
/// Every plan built here is checked by <see cref="PlanValidator"/> before it runs, as a stored plan is, with each
/// error named by the job parameter that fed the field (<see cref="Checked"/>); header values, which reach the plan as
/// secret parameters rather than plan text, are checked by <see cref="ReadHeaders"/>.
/// </para>
/// </summary>
public static partial class BuiltinJobs
{
    public const string Script = "script";
    public const string Http = "http";

    public static readonly IReadOnlyList<string> Names = [Script, Http];

    private const string HeaderPrefix = "header.";

    /// <summary>The prefix of the secret parameter that holds one header's value in the http plan.</summary>
    internal const string HeaderParameterPrefix = "header_";

    /// <summary>The secret parameter that holds the user information of the http job's URL.</summary>
    internal const string UrlUserInfoParameter = "url_userinfo";

    /// <summary>Whether a parameter of this job takes a JSON object as its value.</summary>
    public static bool TakesJson(string name, string parameter) => name == Http && parameter == "headers";

    /// <summary>The ad-hoc plan for a built-in kind and the checked parameter values; the error names the field.</summary>
    public static (PlanDefinition? Plan, IReadOnlyDictionary<string, string>? Values, IResult? Error) Build(string name, IReadOnlyDictionary<string, string> given) =>
        name == Script ? BuildScript(given) : BuildHttp(given);

    private static (PlanDefinition?, IReadOnlyDictionary<string, string>?, IResult?) BuildScript(IReadOnlyDictionary<string, string> given)
    {
        var parameters = new ParameterDefinition[]
        {
            new() { Name = "host", Type = ParameterType.HostList, Required = true, Description = "The hosts to run on." },
            new() { Name = "script", Required = true, Description = "The script text." },
            new() { Name = "interpreter", Default = "sh", Description = string.Join(", ", PlanValidator.Interpreters) },
            new() { Name = "timeout", Description = "Seconds, or a duration such as 5m." },
        };
        var (values, error) = Resolve(parameters, given);
        if (error is not null)
        {
            return (null, null, error);
        }
        var interpreter = values!["interpreter"];
        if (!PlanValidator.Interpreters.Contains(interpreter))
        {
            return (null, null, HarborErrors.Field("job.parameters.interpreter", $"{Common.Quote.Of(interpreter)} is not an interpreter; use {string.Join(", ", PlanValidator.Interpreters)}."));
        }
        var (timeout, timeoutError) = Timeout(values, PlanLimits.MaxTargetTimeout);
        if (timeoutError is not null)
        {
            return (null, null, timeoutError);
        }
        var plan = new PlanDefinition
        {
            Name = Script,
            Parameters = parameters,
            Steps =
            [
                new StepDefinition
                {
                    Name = Script,
                    Kind = StepKind.Script,
                    // A parameter reference, not the text itself: rendering is one pass, so the script's own "${{" stays literal.
                    Script = new ScriptSpec { Interpreter = interpreter, Source = "${{ params.script }}" },
                    Targets = new TargetSpec { Parameter = "host" },
                    Execution = new ExecutionSpec { TargetTimeout = timeout },
                },
            ],
        };
        return Checked(plan, values, new Dictionary<string, string>());
    }

    private static (PlanDefinition?, IReadOnlyDictionary<string, string>?, IResult?) BuildHttp(IReadOnlyDictionary<string, string> given)
    {
        var parameters = new ParameterDefinition[]
        {
            new() { Name = "url", Required = true, Description = "Absolute http or https URL." },
            new() { Name = "method", Default = "GET" },
            new() { Name = "body" },
            new() { Name = "headers", Type = ParameterType.Secret, Description = "A JSON object of header names and values." },
            new() { Name = "host", Type = ParameterType.HostList, Default = "local", Description = "The hosts whose agents make the request." },
            new() { Name = "expect_status", Description = "Codes or classes that count as success, e.g. 200,204 or 2xx; default 2xx." },
            new() { Name = "timeout", Description = "Seconds, or a duration such as 30s." },
        };
        var (values, error) = Resolve(parameters, given.Where(p => !p.Key.StartsWith(HeaderPrefix, StringComparison.Ordinal)).ToDictionary());
        if (error is not null)
        {
            return (null, null, error);
        }
        var (headers, headerFields, headerError) = ReadHeaders(given, values!["headers"]);
        if (headerError is not null)
        {
            return (null, null, headerError);
        }
        var url = values["url"].Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return (null, null, HarborErrors.Field("job.parameters.url", $"{Common.Quote.Of(Common.HookUrls.Redact(url))} is not an absolute http or https URL."));
        }
        var method = values["method"].Trim().ToUpperInvariant();
        if (method.Length is 0 or > 16 || !method.All(char.IsAsciiLetterUpper))
        {
            return (null, null, HarborErrors.Field("job.parameters.method", $"{Common.Quote.Of(values["method"])} is not an HTTP method."));
        }
        var expect = values["expect_status"].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (expect.FirstOrDefault(e => !IsStatusPattern(e)) is { } badStatus)
        {
            return (null, null, HarborErrors.Field("job.parameters.expect_status", $"{Common.Quote.Of(badStatus)} is neither a status code (100-599) nor a class such as 2xx."));
        }
        var (timeout, timeoutError) = Timeout(values, PlanLimits.MaxHttpTimeout);
        if (timeoutError is not null)
        {
            return (null, null, timeoutError);
        }
        // Each header value and the URL's user information become secret parameters the step references.
        var secrets = new List<ParameterDefinition>();
        var resolved = new Dictionary<string, string>(values, StringComparer.Ordinal);
        var taken = new HashSet<string>(parameters.Select(p => p.Name), StringComparer.OrdinalIgnoreCase);
        var stepHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (header, value) in headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            var parameter = HeaderParameter(header, taken);
            secrets.Add(new() { Name = parameter, Type = ParameterType.Secret, Description = $"The value of header {header}." });
            resolved[parameter] = value;
            stepHeaders[header] = $"${{{{ params.{parameter} }}}}";
            fields[parameter] = headerFields[header];
            fields["header:" + header] = headerFields[header];
        }
        var stepUrl = Literal(url);
        if (uri.UserInfo.Length > 0)
        {
            // The authority ends at the first '/', '?' or '#' after "scheme://"; the user information at its last '@'.
            var start = uri.Scheme.Length + 3;
            var end = url.Length > start && url.IndexOfAny(['/', '?', '#'], start) is var e and >= 0 ? e : url.Length;
            var at = end > start && url.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase) ? url.LastIndexOf('@', end - 1, end - start) : -1;
            if (at < 0)
            {
                return (null, null, HarborErrors.Field("job.parameters.url", "the user name and password must come between \"scheme://\" and \"@host\"."));
            }
            secrets.Add(new() { Name = UrlUserInfoParameter, Type = ParameterType.Secret, Description = "The user name and password of the URL." });
            fields[UrlUserInfoParameter] = "job.parameters.url";
            resolved[UrlUserInfoParameter] = url[start..at];
            resolved["url"] = url[..start] + PlanParameters.Mask + url[at..];
            stepUrl = Literal(url[..start]) + $"${{{{ params.{UrlUserInfoParameter} }}}}" + Literal(url[at..]);
        }
        var plan = new PlanDefinition
        {
            Name = Http,
            Parameters = [.. parameters, .. secrets],
            Steps =
            [
                new StepDefinition
                {
                    Name = Http,
                    Kind = StepKind.Http,
                    Http = new HttpSpec
                    {
                        Method = method,
                        Url = stepUrl,
                        Headers = stepHeaders,
                        Body = values["body"] is { Length: > 0 } body ? Literal(body) : null,
                        ExpectStatus = expect,
                        Timeout = timeout,
                    },
                    Targets = new TargetSpec { Parameter = "host" },
                },
            ],
        };
        return Checked(plan, resolved, fields);
    }

    /// <summary>
    /// <c>header_</c> and the header name with every character that cannot be in a parameter name as <c>_</c>
    /// (<c>PRIVATE-TOKEN</c>: <c>header_PRIVATE_TOKEN</c>), cut to fit a parameter name; a number is added when that
    /// name is taken.
    /// </summary>
    private static string HeaderParameter(string header, HashSet<string> taken)
    {
        var name = HeaderParameterPrefix + new string([.. header.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        if (name.Length > PlanLimits.MaxParameterNameLength - 4)
        {
            name = name[..(PlanLimits.MaxParameterNameLength - 4)]; // room for "_NN"; a parameter name is at most 64 characters
        }
        var unique = name;
        for (var i = 2; !taken.Add(unique); i++)
        {
            unique = name + "_" + i.ToString(CultureInfo.InvariantCulture);
        }
        return unique;
    }

    private static (IReadOnlyDictionary<string, string>? Values, IResult? Error) Resolve(IReadOnlyList<ParameterDefinition> parameters, IReadOnlyDictionary<string, string> given)
    {
        var (values, errors) = PlanParameters.Resolve(new PlanDefinition { Parameters = parameters }, given);
        return errors.Count > 0 ? (null, HarborErrors.Field("job." + errors[0].Path, errors[0].Message)) : (values, null);
    }

    /// <summary>
    /// The <c>timeout</c> parameter: whole seconds or a duration (<c>30s</c>, <c>5m</c>), at most <paramref name="max"/>
    /// (the plan format's bound for that step kind); none when empty.
    /// </summary>
    private static (TimeSpan? Value, IResult? Error) Timeout(IReadOnlyDictionary<string, string> values, TimeSpan max)
    {
        var text = values.GetValueOrDefault("timeout");
        if (string.IsNullOrEmpty(text))
        {
            return (null, null);
        }
        TimeSpan? value = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= (long)max.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : DurationFormat.TryParse(text, out var duration) ? duration : null;
        return value is { } v && v > TimeSpan.Zero && v <= max
            ? (v, null)
            : (null, HarborErrors.Field("job.parameters.timeout",
                $"'{PlanLimits.Excerpt(text)}' is not a number of seconds or a duration such as 5m from 1s to {DurationFormat.Format(max)}."));
    }

    /// <summary>Text used as is: a "${{" in it is escaped so that template rendering leaves it alone.</summary>
    private static string Literal(string text) => text.Replace("${{", "$${{", StringComparison.Ordinal);


    private static bool IsStatusPattern(string text) =>
        text.Length == 3
        && (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code is >= 100 and <= 599 : text[0] is >= '1' and <= '5' && text[1..] is "xx" or "XX");
}
