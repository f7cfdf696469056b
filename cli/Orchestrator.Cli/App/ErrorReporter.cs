using System.Net;
using System.Net.Sockets;
using Orchestrator.Client;
using Polly.Timeout;

namespace Orchestrator.Cli.App;

/// <summary>
/// Turns a failure into what the user reads on standard error and the exit code: what was wrong, in words, with the
/// problem's detail, each bad field and the trace id for a refused call. Never a stack trace.
/// </summary>
public static class ErrorReporter
{
    /// <summary>Writes the explanation of <paramref name="error"/> and returns the exit code (<see cref="ExitCodes"/>).</summary>
    public static int Report(Exception error, TextWriter stderr, Uri? server, string? file = null, bool interrupted = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(stderr);
        var at = server is null ? "the server" : $"the server at {server.GetLeftPart(UriPartial.Authority)}";
        switch (error)
        {
            case CliException cli:
                stderr.WriteLine($"error: {cli.Message}");
                return cli.ExitCode;
            case OperationCanceledException when interrupted:
                stderr.WriteLine("interrupted");
                return ExitCodes.Interrupted;
            case OrchestratorCommandPendingException pending:
                stderr.WriteLine($"error: {at} accepted the command but had not applied it when the client stopped waiting; it may or may not take effect."
                    + (pending.Location is { } location ? $" Look at {location}." : ""));
                return ExitCodes.Unavailable;
            case OrchestratorApiException api:
                WriteProblem(api, stderr, file);
                return (int)api.StatusCode is >= 400 and < 500 ? ExitCodes.Refused : ExitCodes.Unavailable;
            case HttpRequestException http:
                stderr.WriteLine($"error: cannot reach {at}: {Reason(http)}");
                return ExitCodes.Unavailable;
            case TimeoutRejectedException or TimeoutException or OperationCanceledException:
                stderr.WriteLine($"error: {at} did not answer in time.");
                return ExitCodes.Unavailable;
            case IOException io:
                stderr.WriteLine($"error: {io.Message}");
                return ExitCodes.Usage;
            case UnauthorizedAccessException denied:
                stderr.WriteLine($"error: {denied.Message}");
                return ExitCodes.Usage;
            default:
                stderr.WriteLine($"error: unexpected {error.GetType().Name}: {error.Message}");
                return ExitCodes.Internal;
        }
    }

    /// <summary>
    /// A refused call: status and title, the detail, each bad field (with <paramref name="file"/>:line:column when the
    /// field has a position in a plan's text), and the trace id.
    /// </summary>
    public static void WriteProblem(OrchestratorApiException api, TextWriter stderr, string? file)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(stderr);
        var problem = api.Problem;
        var status = (int)api.StatusCode;
        var title = problem.Title ?? (status == 0 ? "failed" : ((HttpStatusCode)status).ToString());
        stderr.WriteLine(status == 0 ? $"error: {api.Message}" : $"error: {api.Method} {api.Path} was refused: {status} {title}");
        // The detail often repeats the first field error; then the field lines say it, with the file's name.
        if (status != 0 && !string.IsNullOrEmpty(problem.Detail) && !(api.Errors.Count > 0 && problem.Detail.Contains(api.Errors[0].Message, StringComparison.Ordinal)))
        {
            stderr.WriteLine($"  {problem.Detail}");
        }
        foreach (var field in api.Errors)
        {
            var where = field.Line is { } line
                ? $"{file ?? "plan"} line {line}, column {field.Column ?? 1}: "
                : "";
            stderr.WriteLine($"  {where}{field.Path}: {field.Message}");
        }
        if (problem.ErrorsOmitted is > 0)
        {
            stderr.WriteLine($"  ... and {problem.ErrorsOmitted} more");
        }
        if (api.StatusCode == HttpStatusCode.Unauthorized)
        {
            stderr.WriteLine("  the server did not accept the token (none, wrong, expired or revoked): log in again with orch login --token TOKEN, or pass --token / ORCH_TOKEN.");
        }
        else if (api.StatusCode == HttpStatusCode.Forbidden)
        {
            stderr.WriteLine("  the token is known but its roles or namespaces do not allow this.");
        }
        if (api.TraceId is { } trace)
        {
            stderr.WriteLine($"  trace id: {trace}");
        }
    }

    private static string Reason(HttpRequestException http) => http.InnerException switch
    {
        SocketException socket => socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused (is the silo running, and is this its address?)",
            SocketError.HostNotFound or SocketError.NoData => "no such host",
            SocketError.TimedOut => "the connection timed out",
            _ => socket.Message,
        },
        { } inner => inner.Message,
        null => http.Message,
    };
}
