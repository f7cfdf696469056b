using System.Text.RegularExpressions;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Templates;

namespace Orchestrator.Plans.Validation;

public static partial class PlanValidator
{
    /// <summary>Headers the agent's HTTP client computes from the request itself; setting them would contradict it.</summary>
    private static readonly string[] ComputedHeaders = ["Content-Length", "Transfer-Encoding", "Connection"];

    private static void ValidateHttp(StepContext context, HttpSpec http, List<PlanError> errors)
    {
        var path = context.Field("http");
        if (http.Method is null || !HttpMethod().IsMatch(http.Method))
        {
            errors.Add(new PlanError(PlanPath.Field(path, "method"),
                $"'{PlanLimits.Excerpt(http.Method)}' is not an HTTP method: upper-case letters such as GET, POST, PUT, PATCH, DELETE or HEAD."));
        }

        ValidateUrl(context, http.Url, PlanPath.Field(path, "url"), errors);

        var headers = http.Headers ?? new Dictionary<string, string>();
        var headersPath = PlanPath.Field(path, "headers");
        var counted = Counted(headers.Count, headersPath, PlanLimits.MaxHeaders, "headers", errors);
        foreach (var (name, value) in headers.Take(counted))
        {
            if (name.Length > PlanLimits.MaxHeaderNameLength)
            {
                errors.Add(new PlanError(headersPath, $"A header name is at most {PlanLimits.MaxHeaderNameLength} characters; '{PlanLimits.Excerpt(name)}' is longer."));
                continue;
            }

            var headerPath = PlanPath.Field(headersPath, name);
            if (!Length(value, headerPath, PlanLimits.MaxHeaderValueLength, errors))
            {
                continue;
            }

            if (!HeaderName().IsMatch(name))
            {
                errors.Add(new PlanError(headerPath, $"'{name}' is not a header name: letters, digits and !#$%&'*+-.^_`|~, no spaces or ':'."));
            }
            else if (ComputedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new PlanError(headerPath, $"'{name}' is set by the agent from the request itself; leave it out."));
            }

            if (value.AsSpan().ContainsAny('\r', '\n'))
            {
                errors.Add(new PlanError(headerPath, "A header value is one line: no line breaks."));
            }
            else
            {
                ValidateTemplate(context, headerPath, value, errors);
            }
        }

        if (http.Body is { } body && Length(body, PlanPath.Field(path, "body"), PlanLimits.MaxHttpBodyLength, errors))
        {
            ValidateTemplate(context, PlanPath.Field(path, "body"), body, errors);
        }

        var expect = http.ExpectStatus ?? [];
        var statuses = Counted(expect.Count, PlanPath.Field(path, "expectStatus"), PlanLimits.MaxExpectStatuses, "statuses", errors);
        for (var i = 0; i < statuses; i++)
        {
            var status = expect[i];
            if (status is null || !StatusPattern().IsMatch(status))
            {
                errors.Add(new PlanError(PlanPath.Item(PlanPath.Field(path, "expectStatus"), i),
                    $"'{PlanLimits.Excerpt(status)}' is not a status: a code from 100 to 599 such as 204, or a class such as 2xx."));
            }
        }

        Duration(http.Timeout, PlanPath.Field(path, "timeout"), PlanLimits.MaxHttpTimeout, errors);
    }

    /// <summary>An absolute http or https URL; with templates, only its scheme can be checked, unless a template gives it.</summary>
    private static void ValidateUrl(StepContext context, string? url, string path, List<PlanError> errors)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            errors.Add(new PlanError(path, "An http step needs a url."));
            return;
        }

        if (!Length(url, path, PlanLimits.MaxUrlLength, errors))
        {
            return;
        }

        if (TemplateRenderer.HasPlaceholders(url))
        {
            if (!url.StartsWith("${{", StringComparison.Ordinal) && !HasHttpScheme(url))
            {
                errors.Add(new PlanError(path, $"'{PlanLimits.Excerpt(url)}' does not start with http:// or https://."));
            }

            ValidateTemplate(context, path, url, errors);
        }
        else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !HasHttpScheme(url))
        {
            errors.Add(new PlanError(path, $"'{PlanLimits.Excerpt(url)}' is not an absolute http:// or https:// URL."));
        }
    }

    private static bool HasHttpScheme(string url) =>
        url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Z][A-Z_-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex HttpMethod();

    /// <summary>RFC 9110's token.</summary>
    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderName();

    [GeneratedRegex("^([1-5][0-9][0-9]|[1-5][xX][xX])$", RegexOptions.CultureInvariant)]
    private static partial Regex StatusPattern();
}
