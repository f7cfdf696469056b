using System.CommandLine;

namespace Orchestrator.Cli.App;

/// <summary>Binds a command to its work: an <see cref="Invocation"/> made for the run, failures reported by <see cref="ErrorReporter"/>.</summary>
public static class CommandAction
{
    /// <summary>The terminal the commands write to (the process's; a test may set another before running).</summary>
    public static Terminal Terminal { get; set; } = Terminal.FromProcess();

    public static Command WithAction(this Command command, Func<Invocation, Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(action);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var invocation = new Invocation(parse, Terminal, cancellationToken);
            try
            {
                return await action(invocation);
            }
            catch (Exception e)
            {
                Uri? server = null;
                try
                {
                    server = invocation.Connection.Server;
                }
                catch (CliException)
                {
                    // No server configured: the message names none.
                }
                if (Environment.GetEnvironmentVariable("ORCH_DEBUG") is { Length: > 0 })
                {
                    // For a bug report: the whole exception, which users never see otherwise.
                    await Terminal.Stderr.WriteLineAsync(e.ToString());
                }
                return ErrorReporter.Report(e, Terminal.Stderr, server, interrupted: cancellationToken.IsCancellationRequested);
            }
        });
        return command;
    }

    public static Command WithAction(this Command command, Func<Invocation, Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return command.WithAction(async invocation =>
        {
            await action(invocation);
            return ExitCodes.Ok;
        });
    }
}
