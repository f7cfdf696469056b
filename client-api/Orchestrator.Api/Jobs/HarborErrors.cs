using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Api.Hosting;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Harbor's job service error body, <c>{"code": &lt;int&gt;, "err": "short", "description": "detailed"}</c>, with the HTTP
/// status as the code. Bad input names the field in both texts (<c>job.metadata.cron_spec</c>, ...). Each error also
/// carries the request's W3C trace id as <c>trace_id</c> (Harbor's clients ignore fields they do not know).
/// </summary>
public static class HarborErrors
{
    public static IResult Error(int status, string err, string description) =>
        TypedResults.Json(new JsonObject
        {
            ["code"] = status, ["err"] = err, ["description"] = description,
            // Built while the request runs, under its activity (Common/TraceIds): the same id as the X-Trace-Id header.
            ["trace_id"] = System.Diagnostics.Activity.Current?.TraceId.ToHexString(),
        }, statusCode: status);

    /// <summary>400 naming the field: err says which field, description says why.</summary>
    public static IResult Field(string field, string description) => Error(StatusCodes.Status400BadRequest, $"invalid {field}", $"{field}: {description}");

    /// <summary>A refused input (400, 413, 415; or a 500 with no field) in Harbor's shape, naming the field.</summary>
    public static IResult From(Common.InputError error)
    {
        var field = error.Field.Path;
        if (field.Length == 0)
        {
            return Error(error.Status, error.Status >= 500 ? "internal error" : "request failed", error.Field.Message);
        }
        var where = error.Field.Line is { } line ? $" (line {line}, column {error.Field.Column})" : "";
        return Error(error.Status, $"invalid {field}", $"{field}: {error.Field.Message}{where}");
    }

    /// <summary>Several refused fields as one 400: err names the first, description lists them (at most five).</summary>
    public static IResult Fields(IReadOnlyList<Common.FieldError> errors) =>
        Error(StatusCodes.Status400BadRequest, $"invalid {errors[0].Path}", Common.Problems.Detail(errors));

    public static IResult NotFound(string description) => Error(StatusCodes.Status404NotFound, "job not found", description);

    public static IResult Conflict(string err, string description) => Error(StatusCodes.Status409Conflict, err, description);

    public static IResult NotImplemented(string description) => Error(StatusCodes.Status501NotImplemented, "not supported", description);

    public static IResult Unavailable(string description) => Error(StatusCodes.Status503ServiceUnavailable, "service unavailable", description);

    /// <summary>A command's recorded outcome as Harbor's error, or null when it succeeded.</summary>
    public static IResult? FromResult(RequestResult? result, string what)
    {
        if (result is null)
        {
            return Unavailable($"{what}: the command is stored but was not applied in time; check the job again shortly.");
        }
        if (result.Ok)
        {
            return null;
        }
        var err = result.Code switch
        {
            400 => "invalid request",
            403 => "not allowed",
            404 => "not found",
            409 => "conflict",
            _ => "failed",
        };
        return Error(result.Code, $"{what}: {err}", result.Error ?? err);
    }

    /// <summary>
    /// Harbor's secret auth: <c>Authorization: Harbor-Secret &lt;secret&gt;</c> with <see cref="ApiOptions.JobsSecret"/> is
    /// required (401 otherwise); with no secret configured the jobs API is closed (401 for every call), never open.
    /// </summary>
    public static ValueTask<object?> Guard(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var services = context.HttpContext.RequestServices;
        var secret = services.GetRequiredService<ApiOptions>().JobsSecret;
        if (string.IsNullOrEmpty(secret))
        {
            return ValueTask.FromResult<object?>(Error(StatusCodes.Status401Unauthorized, "unauthorized",
                "The jobs API is closed: no jobs secret is configured on this server (set JobsSecret, e.g. ORCH_JOBS_SECRET, to Harbor's CORE_SECRET)."));
        }
        if (!Authorized(context.HttpContext.Request.Headers.Authorization.ToString(), secret))
        {
            return ValueTask.FromResult<object?>(Error(StatusCodes.Status401Unauthorized, "unauthorized",
                "The jobs API needs the header 'Authorization: Harbor-Secret <secret>' with the configured secret."));
        }
        return next(context);
    }

    private static bool Authorized(string header, string secret)
    {
        const string Scheme = "Harbor-Secret ";
        if (!header.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }
        // Hashes first, so the comparison takes the same time whatever the lengths.
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }
}
