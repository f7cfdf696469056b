using System.CommandLine;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Output;
using Orchestrator.Client;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch schedule create|get|list|preview|suspend|resume|run-now|delete</c> (docs/scheduling.md).</summary>
public static class ScheduleCommands
{
    public static Command Schedule()
    {
        var command = new Command("schedule", "Cron schedules of plans.");
        command.Aliases.Add("schedules");
        command.Subcommands.Add(Create());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Preview());
        command.Subcommands.Add(Simple("suspend", "Stop a schedule firing (due times meanwhile are recorded as skipped).", async (c, p, n, ct) =>
        {
            var r = await c.SuspendScheduleAsync(p, n, ct);
            return (r, $"schedule {r.PlanId}/{r.Name} suspended (revision {r.Revision})");
        }));
        command.Subcommands.Add(Simple("resume", "Let a suspended schedule fire again.", async (c, p, n, ct) =>
        {
            var r = await c.ResumeScheduleAsync(p, n, ct);
            return (r, $"schedule {r.PlanId}/{r.Name} resumed (revision {r.Revision})");
        }));
        command.Subcommands.Add(Simple("run-now", "Run the schedule's plan now, outside its cron and overlap policy.", async (c, p, n, ct) =>
        {
            var r = await c.RunScheduleNowAsync(p, n, ct);
            return (r, $"started run {r.Id} of plan {r.PlanId} (schedule {r.Schedule})");
        }));
        command.Subcommands.Add(Simple("delete", "Delete a schedule: no more fires; runs already going carry on.", async (c, p, n, ct) =>
        {
            await c.DeleteScheduleAsync(p, n, ct);
            return (new { planId = p, name = n, deleted = true }, $"schedule {p}/{n} deleted");
        }));
        return command;
    }

    private static (Argument<string> Plan, Argument<string> Name) PlanAndName() =>
        (new Argument<string>("plan") { Description = "The plan's id." }, new Argument<string>("name") { Description = "The schedule's name." });

    private static Command Create()
    {
        var (plan, name) = PlanAndName();
        var cron = new Option<string>("--cron") { Description = "5 or 6 cron fields, or a macro (@daily).", Required = true };
        var zone = new Option<string?>("--time-zone", "--tz") { Description = "IANA time zone (default UTC)." };
        var parameters = Args.Params();
        var overlap = new Option<string?>("--overlap") { Description = "allow, forbid (default), replace or bufferOne." };
        overlap.AcceptOnlyFromAmong("allow", "forbid", "replace", "bufferOne");
        var catchUp = new Option<string?>("--catch-up") { Description = "none, latest (default) or all." };
        catchUp.AcceptOnlyFromAmong("none", "latest", "all");
        var description = new Option<string?>("--description") { Description = "What it is for." };
        var suspend = new Option<bool>("--suspend") { Description = "Create it suspended." };
        var version = new Option<int?>("--plan-version") { Description = "Run this plan version (default the latest at each fire)." };
        var command = new Command("create", "Create or replace a schedule of a plan.") { plan, name, cron, zone, parameters, overlap, catchUp, description, suspend, version };
        return command.WithAction(async invocation =>
        {
            var values = Args.ParsePairs(invocation.Value(parameters), "--param");
            var request = new ScheduleRequest
            {
                Cron = invocation.Value(cron)!,
                TimeZone = invocation.Value(zone),
                Overlap = invocation.Value(overlap),
                CatchUp = invocation.Value(catchUp),
                Description = invocation.Value(description),
                Suspend = invocation.Value(suspend) ? true : null,
                PlanVersion = invocation.Value(version),
                Parameters = values.Count == 0 ? null : values,
            };
            var saved = await invocation.Client.PutScheduleAsync(invocation.Value(plan), invocation.Value(name), request, null, invocation.CancellationToken);
            invocation.Out.Write(saved, console => console.WriteLine(saved.Created
                ? $"schedule {saved.PlanId}/{saved.Name} created"
                : $"schedule {saved.PlanId}/{saved.Name} replaced (revision {saved.Revision})"));
        });
    }

    private static Command Get()
    {
        var (plan, name) = PlanAndName();
        return new Command("get", "A schedule with its recent runs, skipped fires and next fire times.") { plan, name }.WithAction(async invocation =>
        {
            var schedule = await invocation.Client.GetScheduleAsync(invocation.Value(plan), invocation.Value(name), null, invocation.CancellationToken);
            invocation.Out.Write(schedule, console =>
            {
                var grid = new Grid().AddColumn().AddColumn();
                grid.AddRow("SCHEDULE", Renderer.Cell(schedule.Key));
                grid.AddRow("REVISION", Renderer.Cell(schedule.Revision));
                grid.AddRow("SPEC", Renderer.Cell(schedule.Spec.ToString()));
                grid.AddRow("NEXT DUE", Renderer.Cell(schedule.NextDue));
                grid.AddRow("LAST DUE", Renderer.Cell(schedule.LastDue));
                grid.AddRow("FIRED / SKIPPED", Renderer.Cell($"{schedule.Fired} / {schedule.Skipped}"));
                console.Write(grid);
                var runs = Renderer.NewTable("RUN", "DUE", "TRIGGER", "STATUS");
                foreach (var run in schedule.Runs)
                {
                    runs.AddRow(Renderer.Cell(run.InstanceId), Renderer.Cell(run.DueTime), Renderer.Cell(run.Trigger), Renderer.Cell(run.Status?.ToApiName() ?? "running"));
                }
                console.Write(runs);
            });
        });
    }

    private static Command List()
    {
        var plan = new Option<string?>("--plan") { Description = "Only this plan's schedules." };
        return new Command("list", "Schedules of one plan or of all.") { plan }.WithAction(async invocation =>
        {
            var client = invocation.Client;
            var schedules = await client.AllAsync((page, ct) => client.ListSchedulesAsync(invocation.Value(plan), page, invocation.Namespace, ct), cancellationToken: invocation.CancellationToken)
                .ToListAsync(invocation.CancellationToken);
            invocation.Out.Write(schedules, console =>
            {
                var table = Renderer.NewTable("NAMESPACE", "SCHEDULE", "CRON", "TIME ZONE", "SUSPENDED", "NEXT DUE", "LAST DUE");
                foreach (var item in schedules)
                {
                    var s = item.Schedule;
                    table.AddRow(Renderer.Cell(item.Namespace), Renderer.Cell(item.Key), Renderer.Cell(s?.Cron), Renderer.Cell(s?.TimeZone), Renderer.Cell(s?.Suspend), Renderer.Cell(s?.NextDue), Renderer.Cell(s?.LastDue));
                }
                console.Write(table);
            });
        });
    }

    private static Command Preview()
    {
        var plan = new Argument<string?>("plan") { Description = "The plan's id (with the schedule's name), or leave both out and give --cron.", Arity = ArgumentArity.ZeroOrOne };
        var name = new Argument<string?>("name") { Description = "The schedule's name.", Arity = ArgumentArity.ZeroOrOne };
        var cron = new Option<string?>("--cron") { Description = "Try this expression without saving anything." };
        var zone = new Option<string?>("--time-zone", "--tz") { Description = "With --cron: the IANA time zone (default UTC)." };
        var count = new Option<int?>("--count", "-c") { Description = "How many fire times (default 10)." };
        var command = new Command("preview", "The next fire times of a saved schedule, or of a cron expression (--cron).") { plan, name, cron, zone, count };
        return command.WithAction(async invocation =>
        {
            var client = invocation.Client;
            SchedulePreview preview;
            if (invocation.Value(cron) is { } expression)
            {
                preview = await client.PreviewCronAsync(new SchedulePreviewRequest(expression, invocation.Value(zone), null, invocation.Value(count) ?? 10), invocation.CancellationToken);
            }
            else if (invocation.Parse.GetValue(plan) is { } p && invocation.Parse.GetValue(name) is { } n)
            {
                preview = await client.PreviewScheduleAsync(p, n, invocation.Value(count), null, invocation.CancellationToken);
            }
            else
            {
                throw new CliException("schedule preview needs PLAN NAME (a saved schedule) or --cron EXPRESSION.");
            }
            invocation.Out.Write(preview, console =>
            {
                console.WriteLine($"{preview.Cron} ({preview.TimeZone})");
                var table = Renderer.NewTable("UTC", "LOCAL", "DST");
                foreach (var fire in preview.Fires)
                {
                    table.AddRow(Renderer.Cell(fire.Utc), Renderer.Cell(fire.Local), fire.DaylightSaving ? "yes" : "no");
                }
                console.Write(table);
            });
        });
    }

    private static Command Simple<T>(string verb, string description, Func<OrchestratorClient, string, string, CancellationToken, Task<(T Result, string Text)>> act)
    {
        var (plan, name) = PlanAndName();
        return new Command(verb, description) { plan, name }.WithAction(async invocation =>
        {
            var (result, text) = await act(invocation.Client, invocation.Value(plan), invocation.Value(name), invocation.CancellationToken);
            invocation.Out.Write(result, console => console.WriteLine(text));
        });
    }
}
