namespace Orchestrator.Cli.App;

/// <summary>
/// What <c>orch</c> exits with (cli/README.md lists them): scripts tell a failed run from a refused call from a server
/// that could not be reached.
/// </summary>
public static class ExitCodes
{
    /// <summary>Done; for <c>run --follow</c>, the run succeeded.</summary>
    public const int Ok = 0;

    /// <summary><c>run --follow</c>: the run failed.</summary>
    public const int RunFailed = 1;

    /// <summary>Bad command line (unknown flag, missing argument, bad value) or no server to talk to.</summary>
    public const int Usage = 2;

    /// <summary>The API refused the call (4xx): a plan error, no such object, a conflict, not allowed.</summary>
    public const int Refused = 3;

    /// <summary>The server could not be reached, timed out, or failed (5xx), even after the client's retries.</summary>
    public const int Unavailable = 4;

    /// <summary><c>run --follow</c>: the run was cancelled or stopped, or ended in another status than succeeded or failed.</summary>
    public const int RunNotCompleted = 5;

    /// <summary>A failure of orch itself (a bug): the message names the exception.</summary>
    public const int Internal = 70;

    /// <summary>Interrupted (Ctrl+C) before the command finished.</summary>
    public const int Interrupted = 130;
}
