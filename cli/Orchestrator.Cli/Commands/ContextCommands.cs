using System.CommandLine;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Config;
using Orchestrator.Cli.Output;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch login</c> and <c>orch context list|use|delete</c>: named contexts (a server and its token) in the contexts file.</summary>
public static class ContextCommands
{
    public static Command Login()
    {
        var name = new Option<string>("--name", "--as") { Description = "The context's name (default 'default').", DefaultValueFactory = _ => "default" };
        var noVerify = new Option<bool>("--no-verify") { Description = "Save without first checking that the server answers and accepts the token." };
        var command = new Command("login", "Save a server and its token as a context and make it the current one. Use the global --server, --token, --context (the name) and -n (the context's namespace).")
        {
            name,
            noVerify,
        };
        return command.WithAction(async invocation =>
        {
            var server = invocation.Value(GlobalOptions.Server) ?? Environment.GetEnvironmentVariable("ORCH_SERVER")
                ?? throw new CliException("orch login needs --server URL (the API's address, such as http://127.0.0.1:5080).");
            // An empty token (a token file that is not there yet) is no token.
            var token = invocation.Value(GlobalOptions.Token) ?? Environment.GetEnvironmentVariable("ORCH_TOKEN");
            token = string.IsNullOrWhiteSpace(token) ? null : token.Trim();
            var contextName = invocation.Value(GlobalOptions.Context) ?? invocation.Value(name) ?? "default";
            var connection = new Connection(ConnectionResolver.ParseServer(server, "--server"), token, contextName, "--server");
            if (!invocation.Value(noVerify))
            {
                // A cheap read that needs the token: a wrong address or token is found now, not at the first real command.
                using var client = Invocation.NewClient(connection);
                await client.ListPlansAsync(new Client.PageRequest(Limit: 1), cancellationToken: invocation.CancellationToken);
            }
            var config = invocation.Config.Load();
            config.Upsert(new CliContext { Name = contextName, Server = connection.Server.ToString().TrimEnd('/'), Token = token, Namespace = invocation.Value(GlobalOptions.Namespace) });
            config.Current = contextName;
            invocation.Config.Save(config);
            await invocation.Terminal.Stdout.WriteLineAsync($"Logged in to {connection.Server.GetLeftPart(UriPartial.Authority)} as context '{contextName}' ({(token is null ? "no token" : "token saved")} in {invocation.Config.Path}).");
        });
    }

    public static Command Context()
    {
        var command = new Command("context", "List, choose and delete saved contexts.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Use());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(SetNamespace());
        return command;
    }

    private static Command List() =>
        new Command("list", "The saved contexts (tokens are never shown).").WithAction(invocation =>
        {
            var config = invocation.Config.Load();
            var rows = config.Contexts.Select(c => new ContextRow(c.Name, c.Server, c.Token is not null, c.Name == config.Current) { Namespace = c.Namespace }).ToList();
            invocation.Out.Write(rows, console =>
            {
                var table = Renderer.NewTable("CURRENT", "NAME", "SERVER", "NAMESPACE", "TOKEN");
                foreach (var row in rows)
                {
                    table.AddRow(row.Current ? "*" : "", Renderer.Cell(row.Name), Renderer.Cell(row.Server), Renderer.Cell(row.Namespace), row.HasToken ? "set" : "none");
                }
                console.Write(table);
            });
            return Task.CompletedTask;
        });

    private static Command Use()
    {
        var name = new Argument<string>("name") { Description = "The context to make current." };
        name.CompletionSources.Add(_ => ConfigStore.FromEnvironment().Load().Contexts.Select(c => new System.CommandLine.Completions.CompletionItem(c.Name)));
        return new Command("use", "Make a saved context the current one.") { name }.WithAction(invocation =>
        {
            var config = invocation.Config.Load();
            var wanted = invocation.Value(name);
            if (config.Find(wanted) is null)
            {
                throw new CliException($"No context '{wanted}'; known: {string.Join(", ", config.Contexts.Select(c => c.Name).DefaultIfEmpty("none"))}.");
            }
            config.Current = wanted;
            invocation.Config.Save(config);
            return invocation.Terminal.Stdout.WriteLineAsync($"Current context: {wanted}.");
        });
    }

    private static Command Delete()
    {
        var name = new Argument<string>("name") { Description = "The context to delete." };
        return new Command("delete", "Delete a saved context (and its token).") { name }.WithAction(invocation =>
        {
            var config = invocation.Config.Load();
            var wanted = invocation.Value(name);
            if (config.Contexts.RemoveAll(c => c.Name == wanted) == 0)
            {
                throw new CliException($"No context '{wanted}'.");
            }
            if (config.Current == wanted)
            {
                config.Current = null;
            }
            invocation.Config.Save(config);
            return invocation.Terminal.Stdout.WriteLineAsync($"Deleted context {wanted}.");
        });
    }

    /// <summary>
    /// <c>orch context set-namespace NAME</c>: the namespace the current context (or <c>--context</c>'s) uses by default,
    /// as <c>kubectl config set-context --current --namespace</c>; <c>-</c> clears it.
    /// </summary>
    private static Command SetNamespace()
    {
        var ns = new Argument<string>("namespace") { Description = "The namespace, or '-' for none (lists then show every namespace the token may read)." };
        return new Command("set-namespace", "Set the namespace a context uses by default.") { ns }.WithAction(invocation =>
        {
            var config = invocation.Config.Load();
            var name = invocation.Value(GlobalOptions.Context) ?? config.Current ?? throw new CliException("No current context: run orch login first, or pass --context NAME.");
            var context = config.Find(name) ?? throw new CliException($"No context '{name}'.");
            var wanted = invocation.Value(ns);
            if (wanted != "-" && NamespaceNames.Check(wanted) is { } error)
            {
                throw new CliException(error);
            }
            context.Namespace = wanted == "-" ? null : wanted;
            invocation.Config.Save(config);
            return invocation.Terminal.Stdout.WriteLineAsync(context.Namespace is null ? $"Context {name}: no namespace." : $"Context {name}: namespace {context.Namespace}.");
        });
    }

    /// <summary>A context as <c>context list</c> shows it: whether it has a token, never the token.</summary>
    public sealed record ContextRow(string Name, string Server, bool HasToken, bool Current)
    {
        public string? Namespace { get; init; }
    }
}
