using System.CommandLine;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Output;
using Orchestrator.Client;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch audit [--who --object --action --since --until --limit --after]</c>: the audit log, newest first (admin).</summary>
public static class AuditCommand
{
    public static Command Audit()
    {
        var who = new Option<string?>("--who") { Description = "Only what this principal did (a token's name, a JWT subject, admin)." };
        var on = new Option<string?>("--object") { Description = "Only changes of this object: a kind (plan, instance, schedule, host, file, job, dead-letter) or kind:id (instance:ID also matches its steps)." };
        var action = new Option<string?>("--action") { Description = "Only this action, such as instance.cancel or plan.put." };
        var since = new Option<string?>("--since") { Description = "From this time on (inclusive): a duration before now (30m, 1h, 7d) or an ISO time." };
        var until = new Option<string?>("--until") { Description = "Before this time (exclusive): a duration before now or an ISO time." };
        var limit = new Option<int>("--limit") { Description = "How many entries (1 to 1000, default 50).", DefaultValueFactory = _ => 50 };
        var after = new Option<string?>("--after") { Description = "Start after this page key (the 'more: --after' a previous audit printed)." };
        var command = new Command("audit", "The audit log, newest first: who changed what, when, from where, the outcome and the trace id (admin).")
        {
            who, on, action, since, until, limit, after,
        };
        return command.WithAction(async invocation =>
        {
            var now = TimeProvider.System.GetUtcNow();
            var from = invocation.Value(since) is { } s ? TimeArgs.PointInTime(s, "--since", now) : (DateTimeOffset?)null;
            var to = invocation.Value(until) is { } u ? TimeArgs.PointInTime(u, "--until", now) : (DateTimeOffset?)null;
            if (from is not null && to is not null && to <= from)
            {
                throw new CliException($"--until ({Renderer.Cell(to)}) is not after --since ({Renderer.Cell(from)}).");
            }
            if (invocation.Value(limit) is < 1 or > 1000)
            {
                throw new CliException($"--limit {invocation.Value(limit)} is not from 1 to 1000.");
            }
            var filter = new AuditFilter(invocation.Value(who), invocation.Value(on), invocation.Value(action), from, to);
            var page = await invocation.Client.QueryAuditAsync(filter, new PageRequest(invocation.Value(after), invocation.Value(limit)), invocation.CancellationToken);
            invocation.Out.Write(page, console =>
            {
                var table = Renderer.NewTable("AT", "WHO", "ACTION", "OBJECT", "STATUS", "ADDRESS", "TRACE ID");
                foreach (var entry in page.Items)
                {
                    var status = entry.Problem is { } problem ? $"{entry.Status} {problem}" : $"{entry.Status}";
                    table.AddRow(Renderer.Cell(entry.At), Renderer.Cell(entry.Who), Renderer.Cell(entry.Action), Renderer.Cell(entry.Object?.ToString()),
                        Renderer.Cell(status), Renderer.Cell(entry.Address), Renderer.Cell(entry.TraceId));
                }
                console.Write(table);
                if (page.Next is { } next)
                {
                    console.WriteLine($"more: --after {next}");
                }
            });
        });
    }
}
