using System.CommandLine;
using Orchestrator.Cli.Output;

namespace Orchestrator.Cli.App;

/// <summary>The options every command takes: where to talk to, with which token, and how to print.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Server = new("--server")
    {
        Description = "The API's address (overrides ORCH_SERVER and the context).",
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "The API token to send (overrides ORCH_TOKEN and the context).",
        Recursive = true,
    };

    public static readonly Option<string?> Context = new("--context")
    {
        Description = "The saved context to use (default the current one, or ORCH_CONTEXT).",
        Recursive = true,
    };

    public static readonly Option<string?> Namespace = new("--namespace", "-n")
    {
        Description = "The namespace: where plans are created and which lists show (overrides ORCH_NAMESPACE and the context's; default: lists show every namespace the token may read, creates go to 'default').",
        Recursive = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
            if (Config.NamespaceNames.Check(text) is { } error)
            {
                result.AddError($"-n/--namespace: {error}");
            }
            return text;
        },
    };

    public static readonly Option<OutputFormat> Output = new("--output", "-o")
    {
        Description = "How to print a read: table, json or yaml.",
        Recursive = true,
        DefaultValueFactory = _ => OutputFormat.Table,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? "table" : result.Tokens[0].Value;
            if (Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format) && !int.TryParse(text, out _))
            {
                return format;
            }
            result.AddError($"-o/--output must be table, json or yaml, not '{text}'.");
            return OutputFormat.Table;
        },
    };

    static GlobalOptions()
    {
        Output.CompletionSources.Clear();
        Output.CompletionSources.Add("table", "json", "yaml");
        Output.HelpName = "table|json|yaml";
    }

    public static void AddTo(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.Add(Server);
        root.Options.Add(Token);
        root.Options.Add(Context);
        root.Options.Add(Namespace);
        root.Options.Add(Output);
    }
}
