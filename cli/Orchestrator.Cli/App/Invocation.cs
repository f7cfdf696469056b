using System.CommandLine;
using Orchestrator.Cli.Config;
using Orchestrator.Cli.Output;
using Orchestrator.Client;
using Spectre.Console;

namespace Orchestrator.Cli.App;

/// <summary>
/// One command's run: its parsed line, the consoles, the contexts file, and the API client made on first use from the
/// resolved connection (<see cref="ConnectionResolver"/>).
/// </summary>
public sealed class Invocation(ParseResult parse, Terminal terminal, CancellationToken cancellationToken) : IDisposable
{
    private OrchestratorClient? _client;

    public ParseResult Parse { get; } = parse;

    public Terminal Terminal { get; } = terminal;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public ConfigStore Config { get; } = ConfigStore.FromEnvironment();

    public Renderer Out => new(Parse.GetValue(GlobalOptions.Output), Terminal.Out, Terminal.Stdout);

    public T? Value<T>(Option<T> option) => Parse.GetValue(option);

    public T Value<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    /// <summary>Where the command talks to (flags, environment, context).</summary>
    public Connection Connection => ConnectionResolver.Resolve(Config.Load(), Value(GlobalOptions.Server), Value(GlobalOptions.Token), Value(GlobalOptions.Context),
        ConnectionResolver.ProcessEnvironment(), Value(GlobalOptions.Namespace));

    /// <summary>The namespace chosen (<c>-n</c>, <c>ORCH_NAMESPACE</c>, the context's), or null.</summary>
    public string? Namespace => Connection.Namespace;

    /// <summary>The API client on <see cref="Connection"/>.</summary>
    public OrchestratorClient Client => _client ??= NewClient(Connection);

    /// <summary>
    /// A client for <paramref name="connection"/>. <c>ORCH_POLL_INTERVAL</c> (milliseconds, default 1000) sets how often
    /// <c>--follow</c> asks again.
    /// </summary>
    public static OrchestratorClient NewClient(Connection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var options = new OrchestratorClientOptions { BaseAddress = connection.Server, Token = connection.Token };
        if (int.TryParse(Environment.GetEnvironmentVariable("ORCH_POLL_INTERVAL"), out var ms) && ms > 0)
        {
            options.PollInterval = TimeSpan.FromMilliseconds(ms);
        }
        return new OrchestratorClient(options);
    }

    public void Dispose() => _client?.Dispose();
}

/// <summary>
/// The process's output: <see cref="Out"/> (Spectre, for tables and the live display) and <see cref="Stdout"/> on the same
/// standard output, <see cref="Stderr"/> for errors. <see cref="Interactive"/>: standard output is a terminal, so live
/// displays and colours are used; when it is redirected, output is plain text without escape codes.
/// </summary>
public sealed class Terminal
{
    public Terminal(TextWriter stdout, TextWriter stderr, bool interactive)
    {
        Stdout = stdout;
        Stderr = stderr;
        Interactive = interactive;
        Out = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        if (!interactive)
        {
            // Redirected output has no width: wide enough that tables are not folded for a script or a file.
            Out.Profile.Width = 200;
        }
    }

    public IAnsiConsole Out { get; }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public bool Interactive { get; }

    public static Terminal FromProcess() =>
        new(Console.Out, Console.Error, !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb"));
}
