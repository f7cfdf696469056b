using System.CommandLine;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Output;
using Orchestrator.Client;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch host list|pause|resume|drain|revoke|restore</c>.</summary>
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
            var hosts = await client.AllAsync((page, ct) => client.ListHostsAsync(invocation.Value(selector), page, invocation.Namespace, ct), cancellationToken: invocation.CancellationToken)
                .ToListAsync(invocation.CancellationToken);
            invocation.Out.Write(hosts, console =>
            {
                var table = Renderer.NewTable("NAMESPACE", "HOST", "STATUS", "OPERATION", "CAPACITY", "LABELS");
                foreach (var host in hosts)
                {
                    table.AddRow(Renderer.Cell(host.Namespace), Renderer.Cell(host.Host), Renderer.Cell(host.Status), Renderer.Cell(host.Operation), Renderer.Cell(host.Capacity),
                        Renderer.Cell(string.Join(",", host.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))));
                }
                console.Write(table);
            });
        }));
        command.Subcommands.Add(Revocation("revoke", "Revoke a host (admin): its agent is refused from its next call and may not register the host until it is restored.",
            (client, host, ct) => client.RevokeHostAsync(host, ct)));
        command.Subcommands.Add(Revocation("restore", "Restore a revoked host (admin): its agent may register and call again.",
            async (client, host, ct) => await client.RestoreHostAsync(host, ct)));
        command.Subcommands.Add(Operation("pause", "Pause a host (admin): it is handed no new work until resumed; what runs on it goes on.",
            (client, host, ct) => client.PauseHostAsync(host, ct)));
        command.Subcommands.Add(Operation("resume", "Resume a paused or draining host (admin): it takes new work again.",
            (client, host, ct) => client.ResumeHostAsync(host, ct)));
        command.Subcommands.Add(Operation("drain", "Drain a host (admin): no new work; its operation shows drained once nothing runs on it (safe to stop its agent).",
            (client, host, ct) => client.DrainHostAsync(host, ct)));
        return command;
    }

    private static Command Operation(string name, string description, Func<OrchestratorClient, string, CancellationToken, Task<HostInfo>> act)
    {
        var host = new Argument<string>("host") { Description = "The host's name." };
        return new Command(name, description) { host }.WithAction(async invocation =>
        {
            var info = await act(invocation.Client, invocation.Value(host), invocation.CancellationToken);
            invocation.Out.Write(info, console => console.WriteLine(info.Operation switch
            {
                HostOperation.Paused => $"host {info.Host} paused: no new work until orch host resume {info.Host}",
                HostOperation.Draining => $"host {info.Host} draining: no new work; it shows drained once what runs on it has finished",
                HostOperation.Drained => $"host {info.Host} drained: nothing runs on it; its agent may be stopped",
                _ => $"host {info.Host} resumed: it takes new work",
            }));
        });
    }

    private static Command Revocation(string name, string description, Func<OrchestratorClient, string, CancellationToken, Task<HostInfo?>> act)
    {
        var host = new Argument<string>("host") { Description = "The host's name." };
        return new Command(name, description) { host }.WithAction(async invocation =>
        {
            var hostName = invocation.Value(host);
            var info = await act(invocation.Client, hostName, invocation.CancellationToken);
            // The server answers the host; should it answer none, the result is still printed in the chosen format.
            var result = info ?? new HostInfo(hostName, HostStatus.Unknown, new Dictionary<string, string>(), 0, null, null, null, null);
            invocation.Out.Write(result, console => console.WriteLine(info switch
            {
                null => $"host {hostName} revoked: its agent is refused until orch host restore {hostName}",
                { RevokedAt: { } at } => $"host {hostName} revoked by {info.RevokedBy} at {Renderer.Cell(at)}: its agent is refused until orch host restore {hostName}",
                _ => $"host {hostName} restored: its agent may register and call again",
            }));
        });
    }
}
