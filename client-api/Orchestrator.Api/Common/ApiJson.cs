using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Orchestrator.Api.Common;

/// <summary>JSON of the REST API: camelCase, enums as camelCase strings, nulls omitted.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        // Numbers are written as numbers either way; the web default would read them from strings too, but every body
        // is read by the API's own readers (JsonFields), never through these options. Strict, the OpenAPI document
        // says "integer" rather than "integer or string".
        options.NumberHandling = JsonNumberHandling.Strict;
    }
}

/// <summary>One invalid field of a request: its path, why, and where in the document when it came from a file.</summary>
public sealed record FieldError(string Path, string Message, int? Line = null, int? Column = null);

/// <summary>
/// A refused input before any endpoint logic: the HTTP status (400, 413, 415) and the field. Readers return it so that
/// each API answers in its own error shape (problem details here, Harbor's body in the jobs API).
/// </summary>
public sealed record InputError(int Status, FieldError Field)
{
    public static InputError BadRequest(string path, string message, int? line = null, int? column = null) =>
        new(StatusCodes.Status400BadRequest, new FieldError(path, message, line, column));
}

/// <summary>
/// Builds RFC 7807 problem responses that name the bad fields. A response lists at most <see cref="MaxErrors"/> errors
/// (<c>errorsOmitted</c> counts the others) and cuts a path or message past <see cref="MaxPathLength"/> or
/// <see cref="MaxMessageLength"/> characters, so that no input, however many mistakes or however long the names it
/// repeats back, makes the answer much larger than a few KB.
/// </summary>
public static class Problems
{
    /// <summary>Most errors one response lists.</summary>
    public const int MaxErrors = 20;

    /// <summary>Longest path shown; a longer one is cut and ends with "…".</summary>
    public const int MaxPathLength = 160;

    /// <summary>Longest message shown; a longer one is cut and ends with "…".</summary>
    public const int MaxMessageLength = 400;

    public static ProblemHttpResult Validation(IEnumerable<FieldError> errors, string title = "The request is invalid.") =>
        WithErrors(StatusCodes.Status400BadRequest, title, errors);

    public static ProblemHttpResult Field(string path, string message) => Validation([new FieldError(path, message)]);

    /// <summary>An input refused with its own status (400, 413, 415), naming the field.</summary>
    public static ProblemHttpResult From(InputError error) => error.Status == StatusCodes.Status400BadRequest
        ? Validation([error.Field])
        : WithStatus(error.Status, [error.Field]);

    /// <summary>A 4xx with the title of its status and the fields it is about.</summary>
    public static ProblemHttpResult WithStatus(int status, IReadOnlyList<FieldError> errors, string? title = null) =>
        WithErrors(status, title ?? TitleOf(status), errors);

    private static ProblemHttpResult WithErrors(int status, string title, IEnumerable<FieldError> errors)
    {
        var shown = new List<FieldError>(MaxErrors);
        var omitted = 0;
        foreach (var error in errors)
        {
            if (shown.Count < MaxErrors)
            {
                shown.Add(Bounded(error));
            }
            else
            {
                omitted++;
            }
        }
        Dictionary<string, object?>? extensions = null;
        if (shown.Count > 0)
        {
            extensions = new Dictionary<string, object?> { ["errors"] = shown };
            if (omitted > 0)
            {
                extensions["errorsOmitted"] = omitted;
            }
        }
        var detail = Detail(shown) + (omitted > 0 ? $"; and {omitted} more error{(omitted == 1 ? "" : "s")} not listed" : "");
        return TypedResults.Problem(title: title, detail: detail, statusCode: status, extensions: extensions);
    }

    /// <summary>An error with its path and message cut to their limits.</summary>
    private static FieldError Bounded(FieldError error) =>
        error.Path.Length <= MaxPathLength && error.Message.Length <= MaxMessageLength
            ? error
            : error with { Path = Cut(error.Path, MaxPathLength), Message = Cut(error.Message, MaxMessageLength) };

    private static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        var end = max - 1;
        if (char.IsHighSurrogate(text[end - 1]))
        {
            end--; // never half a surrogate pair
        }
        return string.Concat(text.AsSpan(0, end), "…");
    }

    /// <summary>The title a problem of this status gets when nothing more specific is known.</summary>
    public static string TitleOf(int status) => status switch
    {
        400 => "The request is invalid.",
        401 => "Not authenticated.",
        403 => "Not allowed.",
        404 => "Not found.",
        405 => "Method not allowed.",
        409 => "Conflicts with the current state.",
        413 => "The request body is too large.",
        415 => "Unsupported content type.",
        >= 500 => "The server failed to handle the request.",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "The request failed.",
    };

    /// <summary>The detail line of a problem (and Harbor's description): the first five errors as "path: message", each cut like <c>errors[]</c>.</summary>
    public static string Detail(IEnumerable<FieldError> errors) =>
        string.Join("; ", errors.Take(5).Select(Bounded).Select(e => e.Line is { } l ? $"{e.Path} (line {l}, column {e.Column}): {e.Message}" : $"{e.Path}: {e.Message}"));

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(title: "Not found.", detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Unavailable(string detail) => TypedResults.Problem(title: "Not ready.", detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>
    /// A command's outcome as a response: 200 with <paramref name="ok"/>, the problem it reported, or — no outcome in
    /// time — 202 pointing at <paramref name="location"/>, the resource to look at.
    /// </summary>
    public static IResult FromResult(GrainInterfaces.RequestResult? result, string location, Func<GrainInterfaces.RequestResult, IResult> ok)
    {
        ArgumentNullException.ThrowIfNull(ok);
        if (result is null)
        {
            return Accepted(location);
        }
        return result.Ok ? ok(result) : Failure(result);
    }

    /// <summary>The problem a command reported (its code and message).</summary>
    public static ProblemHttpResult Failure(GrainInterfaces.RequestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var title = result.Code switch
        {
            400 => "The request is invalid.",
            403 => "Not allowed.",
            404 => "Not found.",
            409 => "Conflicts with the current state.",
            _ => "The request failed.",
        };
        return TypedResults.Problem(title: title, detail: result.Error, statusCode: result.Code);
    }

    /// <summary>
    /// 202 for a command whose outcome did not come in time: it may or may not be applied; the body and the
    /// <c>Location</c> header name the resource to check, and a retry with the same <c>Idempotency-Key</c> is safe.
    /// </summary>
    public static AcceptedProblem Accepted(string location) => new(location, TypedResults.Problem(
        title: "Accepted, not yet applied.",
        detail: $"The command did not answer in time: it may or may not be applied. Check {location}; sending it again with the same {IdempotencyKey.Header} header is safe.",
        statusCode: StatusCodes.Status202Accepted,
        extensions: new Dictionary<string, object?> { ["location"] = location }));
}

/// <summary>
/// 202 with a problem body and <c>Location</c>: a command not answered in time (<see cref="Problems.Accepted"/>). Its
/// own result type so that an endpoint's signature, and so the OpenAPI document, says it may answer so.
/// </summary>
public sealed class AcceptedProblem : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>,
    Microsoft.AspNetCore.Http.Metadata.IEndpointMetadataProvider
{
    private readonly ProblemHttpResult _problem;

    internal AcceptedProblem(string location, ProblemHttpResult problem)
    {
        Location = location;
        _problem = problem;
    }

    /// <summary>The resource to look at (the <c>Location</c> header and the body's <c>location</c>).</summary>
    public string Location { get; }

    public int? StatusCode => StatusCodes.Status202Accepted;

    public ProblemDetails Value => _problem.ProblemDetails;

    object? IValueHttpResult.Value => _problem.ProblemDetails;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers.Location = Location;
        return _problem.ExecuteAsync(httpContext);
    }

    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(StatusCodes.Status202Accepted, typeof(ProblemDetails), ["application/problem+json"]));
    }
}
