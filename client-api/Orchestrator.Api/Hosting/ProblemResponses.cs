using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// The error answers each endpoint may give, added to its metadata (so to the OpenAPI document) by the rules every
/// endpoint follows (docs/api.md, "Limits and errors"): 400 for a bad query, path value or body (every endpoint checks
/// its query string); 401 without a valid credential; 403 when the caller's roles do not allow it; 404 for a path
/// naming a resource; 409 for a command the resource's state refuses; 413 and 415 for a body too large or of a type
/// the endpoint does not read; 503 while the cluster cannot reach a grain. The REST API and the agent gateway answer
/// problem details; the jobs API Harbor's error body (<see cref="HarborError"/>). A status the endpoint's signature
/// already gives is left as it says.
/// </summary>
internal static class ProblemResponses
{
    private const string ProblemJson = "application/problem+json";

    /// <summary>State-changing endpoints whose handlers never answer 409: they change nothing, or cannot be refused by state.</summary>
    private static readonly HashSet<string> NeverConflicts = new(StringComparer.Ordinal)
    {
        "/api/v1/schedules/preview", "/api/v1/files", "/api/v1/tokens/{id}/revoke", "/api/v1/hosts/{host}/revoke", "/api/v1/hosts/{host}/restore",
        "/api/v1/hosts/{host}/pause", "/api/v1/hosts/{host}/resume", "/api/v1/hosts/{host}/drain",
    };

    public static void Add(EndpointBuilder builder)
    {
        if (builder is not RouteEndpointBuilder route || route.RoutePattern.RawText is not { } raw)
        {
            return;
        }
        var path = "/" + raw.Trim('/'); // a group's "/" leaves a trailing slash
        if (!path.StartsWith("/api/v1/", StringComparison.Ordinal))
        {
            return;
        }
        var methods = builder.Metadata.OfType<HttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
        var changes = methods.Any(m => !HttpMethods.IsGet(m) && !HttpMethods.IsHead(m)) && !NeverConflicts.Contains(path);
        var body = builder.Metadata.OfType<DescribedBody>().LastOrDefault();
        var caller = builder.Metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Identity.IdentityRegistration.Policy);
        var harbor = OpenApiSecurity.SchemesOf(path, caller) is [OpenApiSecurity.HarborSecret];
        var statuses = new List<int> { 400, 401 };
        if (caller || path == "/api/v1/agent/register")
        {
            statuses.Add(403);
        }
        if (path.Contains('{', StringComparison.Ordinal))
        {
            statuses.Add(404);
        }
        if (changes && (caller || harbor))
        {
            statuses.Add(409);
        }
        if (body is not null)
        {
            statuses.Add(413);
            if (!body.ContentTypes.Contains("application/octet-stream"))
            {
                statuses.Add(415); // a raw upload takes any type
            }
        }
        statuses.Add(503);
        var given = builder.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
        foreach (var status in statuses.Where(s => !given.Contains(s)))
        {
            builder.Metadata.Add(harbor
                ? new ProducesResponseTypeMetadata(status, typeof(HarborError), ["application/json"]) { Description = Describe(status) }
                : new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), [ProblemJson]) { Description = Describe(status) });
        }
    }

    /// <summary>Says in each error answer of the document when it is given (the metadata's own descriptions do not reach it).</summary>
    public static Task DescribeAsync(Microsoft.OpenApi.OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken)
    {
        foreach (var (key, response) in operation.Responses ?? [])
        {
            if (int.TryParse(key, System.Globalization.CultureInfo.InvariantCulture, out var status) && status >= 400 && response is Microsoft.OpenApi.OpenApiResponse concrete)
            {
                concrete.Description = Describe(status);
            }
            else if (key == "202" && response is Microsoft.OpenApi.OpenApiResponse accepted && accepted.Content?.ContainsKey(ProblemJson) == true)
            {
                accepted.Description = "The command did not answer in time: it may or may not be applied. Location names the resource to check; a retry with the same Idempotency-Key is safe.";
            }
        }
        return Task.CompletedTask;
    }

    private static string Describe(int status) => status switch
    {
        400 => "A query parameter, path value, header or body field breaks a rule; `errors[].path` names each.",
        401 => "No credential, or one that is unknown, expired or revoked.",
        403 => "The caller's roles do not allow this.",
        404 => "No such resource.",
        409 => "The resource's current state refuses the command (a stale If-Match, a resource that exists, a run still going).",
        413 => "The body is larger than the endpoint takes.",
        415 => "A content type the endpoint does not read, or a charset other than UTF-8.",
        503 => "The cluster cannot reach the resource's grain right now (Retry-After: 1).",
        _ => Common.Problems.TitleOf(status),
    };
}

/// <summary>
/// The jobs API's error body, Harbor's shape: the HTTP status as <c>code</c>, a short <c>err</c> and a detailed
/// <c>description</c> that name the field, and the request's W3C trace id (written by <see cref="Jobs.HarborErrors"/>).
/// </summary>
public sealed record HarborError(int Code, string Err, string Description,
    [property: System.Text.Json.Serialization.JsonPropertyName("trace_id")] string? TraceId);
