using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using Orchestrator.Cli.Commands;

namespace Orchestrator.Cli.App;

/// <summary>The <c>orch</c> command tree and how a command line is run: parse errors are named and exit 2, failures are reported without a stack trace.</summary>
public static class OrchApp
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("orch: the command-line tool of Orchestrator (plans, runs, task instances, logs, schedules, hosts, tokens, audit).");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(ContextCommands.Login());
        root.Subcommands.Add(ContextCommands.Context());
        root.Subcommands.Add(PlanCommands.Plan());
        root.Subcommands.Add(RunCommand.Run());
        root.Subcommands.Add(InstanceCommands.Instance());
        root.Subcommands.Add(LogsCommand.Logs());
        root.Subcommands.Add(ScheduleCommands.Schedule());
        root.Subcommands.Add(HostCommands.Host());
        root.Subcommands.Add(TokenCommands.Token());
        root.Subcommands.Add(NamespaceCommands.Namespace());
        root.Subcommands.Add(AuditCommand.Audit());
        root.Subcommands.Add(CompletionCommand.Completion());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        // No response files: '@daily' is a cron macro, not a file of arguments.
        var parse = BuildRoot().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var terminal = CommandAction.Terminal;
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                await terminal.Stderr.WriteLineAsync($"error: {error.Message}");
            }
            var command = string.Join(' ', parse.CommandResult.Command.Name == parse.RootCommandResult.Command.Name
                ? ["orch"]
                : new[] { "orch" }.Concat(Path(parse)));
            await terminal.Stderr.WriteLineAsync($"See '{command} --help'.");
            return ExitCodes.Usage;
        }
        // Ctrl+C (or SIGTERM) cancels the command, which then says what it left behind ("the run goes on") and exits 130;
        // a second one ends the process at once. System.CommandLine's own handling would exit before the command speaks.
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Interrupt(PosixSignalContext context)
        {
            if (!interrupt.IsCancellationRequested)
            {
                context.Cancel = true;
                interrupt.Cancel();
            }
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        return await parse.InvokeAsync(new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
            Output = terminal.Stdout,
            Error = terminal.Stderr,
        }, interrupt.Token);
    }

    private static IEnumerable<string> Path(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null && result.Parent is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command.Name);
        }
        return names;
    }
}
