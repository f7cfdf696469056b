using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Api.Common;

/// <summary>JSON of the REST API: camelCase, enums as camelCase strings, nulls omitted.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }
}

/// <summary>One invalid field of a request: its path, why, and where in the document when it came from a file.</summary>
public sealed record FieldError(string Path, string Message, int? Line = null, int? Column = null);

/// <summary>Builds RFC 7807 problem responses that name the bad fields.</summary>
public static class Problems
{
    public static IResult Validation(IEnumerable<FieldError> errors, string title = "The request is invalid.")
    {
        var list = errors.ToList();
        return TypedResults.Problem(
            title: title,
            detail: string.Join("; ", list.Take(5).Select(e => e.Line is { } l ? $"{e.Path} (line {l}, column {e.Column}): {e.Message}" : $"{e.Path}: {e.Message}")),
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["errors"] = list });
    }

    public static IResult Field(string path, string message) => Validation([new FieldError(path, message)]);

    public static IResult NotFound(string detail) => TypedResults.Problem(title: "Not found.", detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static IResult Unavailable(string detail) => TypedResults.Problem(title: "Not ready.", detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>A command's outcome as a response: 200 with <paramref name="ok"/>, or the problem it reported.</summary>
    public static IResult FromResult(GrainInterfaces.RequestResult? result, Func<GrainInterfaces.RequestResult, IResult> ok)
    {
        if (result is null)
        {
            return TypedResults.Problem(title: "Accepted, not yet applied.", detail: "The command is stored and will be applied; check the resource again shortly.",
                statusCode: StatusCodes.Status202Accepted);
        }
        if (result.Ok)
        {
            return ok(result);
        }
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
}
