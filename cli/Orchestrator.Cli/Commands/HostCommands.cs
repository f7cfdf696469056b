using System.CommandLine;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Output;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch host list</c> (drain comes with its API).</summary>
public static class HostCommands
{
    public static Command Host()
    {
        var command = new Command("host", "The host inventory.");
        command.Aliases.Add("hosts");
        var selector = new Option<string?>("--selector", "-l") { Description = "A label selector: role=web,zone in (a,b)." };
        command.Subcommands.Add(new Command("list", "Hosts whose agents registered, with status, labels and capacity.") { selector }.WithAction(async invocation =>
        {
            var client = invocation.Client;
            var hosts = await client.AllAsync((page, ct) => client.ListHostsAsync(invocation.Value(selector), page, ct), cancellationToken: invocation.CancellationToken)
                .ToListAsync(invocation.CancellationToken);
            invocation.Out.Write(hosts, console =>
            {
                var table = Renderer.NewTable("HOST", "STATUS", "CAPACITY", "LABELS");
                foreach (var host in hosts)
                {
                    table.AddRow(Renderer.Cell(host.Host), Renderer.Cell(host.Status), Renderer.Cell(host.Capacity),
                        Renderer.Cell(string.Join(",", host.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))));
                }
                console.Write(table);
            });
        }));
        return command;
    }
}
