using System.CommandLine;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Output;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch namespace list</c>: the namespaces the caller may read, with its roles in each.</summary>
public static class NamespaceCommands
{
    public static Command Namespace()
    {
        var command = new Command("namespace", "Namespaces: which ones you may read, and your roles there.");
        command.Aliases.Add("namespaces");
        command.Aliases.Add("ns");
        command.Subcommands.Add(List());
        return command;
    }

    private static Command List() =>
        new Command("list", "The namespaces you may read, with your roles in each (an admin of '*' sees every namespace in use).").WithAction(async invocation =>
        {
            var namespaces = await invocation.Client.ListNamespacesAsync(invocation.CancellationToken);
            invocation.Out.Write(namespaces, console =>
            {
                var table = Renderer.NewTable("NAMESPACE", "ROLES");
                foreach (var ns in namespaces)
                {
                    table.AddRow(Renderer.Cell(ns.Name), Renderer.Cell(string.Join(", ", ns.Roles)));
                }
                console.Write(table);
            });
        });
}
