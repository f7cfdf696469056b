using System.Net;
using System.Net.Sockets;
using Orchestrator.Cli.App;
using Orchestrator.Client;

namespace Orchestrator.Cli.Tests.Unit;

public sealed class ErrorReporterTests
{
    private static readonly Uri Server = new("http://orch.example:5080/");

    private static (int Code, string Text) Report(Exception error, string? file = null, bool interrupted = false)
    {
        var text = new StringWriter();
        var code = ErrorReporter.Report(error, text, Server, file, interrupted);
        return (code, text.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Report_PlanFieldErrors_FileLineColumnPathAndTraceId()
    {
        var problem = new ApiProblem
        {
            Title = "The plan is invalid.",
            Status = 400,
            Detail = "2 errors.",
            Errors = [new ApiFieldError("steps[0].execution.parallelism", "Must be at least 1.", 10, 20), new ApiFieldError("name", "Required.")],
            ErrorsOmitted = 3,
            TraceId = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        };

        var (code, text) = Report(new OrchestratorApiException(HttpStatusCode.BadRequest, problem, "PUT", "/api/v1/plans/p"), "p.yaml");

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Equal("""
            error: PUT /api/v1/plans/p was refused: 400 The plan is invalid.
              2 errors.
              p.yaml line 10, column 20: steps[0].execution.parallelism: Must be at least 1.
              name: Required.
              ... and 3 more
              trace id: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01

            """, text);
    }

    [Fact]
    public void Report_Unauthorized_SaysToLogInAgain()
    {
        var (code, text) = Report(new OrchestratorApiException(HttpStatusCode.Unauthorized, new ApiProblem { Title = "Unauthorized" }, "GET", "/api/v1/plans"));

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("orch login --token", text);
    }

    [Fact]
    public void Report_ServerError_Unavailable() =>
        Assert.Equal(ExitCodes.Unavailable, Report(new OrchestratorApiException(HttpStatusCode.ServiceUnavailable, new ApiProblem(), "GET", "/x")).Code);

    [Fact]
    public void Report_ConnectionRefused_NamesServerAndCause()
    {
        var (code, text) = Report(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)));

        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.Equal("error: cannot reach the server at http://orch.example:5080: connection refused (is the silo running, and is this its address?)\n", text);
    }

    [Fact]
    public void Report_CommandPending_SaysItMayApplyAndWhere()
    {
        var (code, text) = Report(new OrchestratorCommandPendingException(new ApiProblem(), "POST", "/api/v1/plans/p/run", "/api/v1/task-instances/abc"));

        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.Contains("may or may not take effect. Look at /api/v1/task-instances/abc.", text);
    }

    [Fact]
    public void Report_CancelledByUser_Interrupted() =>
        Assert.Equal((ExitCodes.Interrupted, "interrupted\n"), Report(new OperationCanceledException(), interrupted: true));

    [Fact]
    public void Report_CancelledWithoutUser_TimedOut() =>
        Assert.Equal(ExitCodes.Unavailable, Report(new TaskCanceledException()).Code);

    [Fact]
    public void Report_Bug_NamesExceptionWithoutStackTrace()
    {
        var (code, text) = Report(new InvalidOperationException("boom"));

        Assert.Equal(ExitCodes.Internal, code);
        Assert.Equal("error: unexpected InvalidOperationException: boom\n", text);
    }
}
