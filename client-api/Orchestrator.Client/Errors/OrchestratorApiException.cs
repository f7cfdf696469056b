using System.Net;

namespace Orchestrator.Client;

/// <summary>
/// The API refused a call or failed it: the reply's status and its RFC 7807 problem details (title, detail, the field
/// errors naming each bad field, the trace id that finds the request in the server's log). The one exception type the
/// client throws for an answer it got; connection failures that outlast the retries surface as
/// <see cref="HttpRequestException"/>, and cancellation as <see cref="OperationCanceledException"/>.
/// </summary>
public class OrchestratorApiException : Exception
{
    public OrchestratorApiException(HttpStatusCode status, ApiProblem problem, string method, string path)
        : base(MessageOf(status, problem, method, path))
    {
        ArgumentNullException.ThrowIfNull(problem);
        StatusCode = status;
        Problem = problem;
        Method = method;
        Path = path;
    }

    public OrchestratorApiException()
        : this(0, new ApiProblem(), "", "")
    {
    }

    public OrchestratorApiException(string message)
        : base(message)
    {
        Problem = new ApiProblem { Detail = message };
        Method = "";
        Path = "";
    }

    public OrchestratorApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = new ApiProblem { Detail = message };
        Method = "";
        Path = "";
    }

    /// <summary>The reply's status (400, 404, 409, ...).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The reply's problem details (built from the status alone when the body was not problem JSON).</summary>
    public ApiProblem Problem { get; }

    /// <summary>The field errors: each bad field's path (a JSON path, a query parameter, a header) and why.</summary>
    public IReadOnlyList<ApiFieldError> Errors => Problem.Errors ?? [];

    /// <summary>The W3C trace id the server gave the request (<c>traceId</c>), which finds it in the server's log.</summary>
    public string? TraceId => Problem.TraceId;

    /// <summary>The call's method and path, for the message.</summary>
    public string Method { get; }

    public string Path { get; }

    private static string MessageOf(HttpStatusCode status, ApiProblem problem, string method, string path)
    {
        var text = $"{method} {path}: {(int)status} {problem.Title ?? status.ToString()}";
        if (!string.IsNullOrEmpty(problem.Detail))
        {
            text += " " + problem.Detail;
        }
        return problem.TraceId is null ? text : $"{text} (trace {problem.TraceId})";
    }
}

/// <summary>
/// A command the server did not finish within its wait (202 "accepted, not yet applied"), even after the client's
/// retries with the same <c>Idempotency-Key</c>: it may or may not be applied. Look at <see cref="Location"/>.
/// </summary>
public sealed class OrchestratorCommandPendingException : OrchestratorApiException
{
    public OrchestratorCommandPendingException(ApiProblem problem, string method, string path, string? location)
        : base(HttpStatusCode.Accepted, problem, method, path)
    {
        Location = location;
    }

    public OrchestratorCommandPendingException()
    {
    }

    public OrchestratorCommandPendingException(string message)
        : base(message)
    {
    }

    public OrchestratorCommandPendingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The resource to look at to learn whether the command applied.</summary>
    public string? Location { get; }
}
