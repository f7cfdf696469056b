namespace Orchestrator.Cli.App;

/// <summary>A failure the CLI explains itself: its message is shown as is (no stack trace) and the process exits with <see cref="ExitCode"/>.</summary>
public sealed class CliException : Exception
{
    public CliException(string message, int exitCode = ExitCodes.Usage)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public CliException()
        : this("orch failed.")
    {
    }

    public CliException(string message)
        : this(message, ExitCodes.Usage)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Usage;
    }

    /// <summary>The process's exit code (<see cref="ExitCodes"/>).</summary>
    public int ExitCode { get; }
}
