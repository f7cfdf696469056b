using System.CommandLine;
using System.Net;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Plans;
using Orchestrator.Client;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch plan apply|get|list|versions</c>.</summary>
public static class PlanCommands
{
    public static Command Plan()
    {
        var command = new Command("plan", "Save, read and list execution plans.");
        command.Subcommands.Add(Apply());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Versions());
        return command;
    }

    private static Command Apply()
    {
        var file = new Option<string>("--file", "-f") { Description = "The plan's YAML or JSON file ('-' reads standard input).", Required = true };
        var id = new Option<string?>("--id") { Description = "The plan's id (default the file's name without its extension)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the diff and have the server check the plan (document, namespace, rights), without saving." };
        var command = new Command("apply", "Create or update a plan from a file, showing the diff against the stored version.") { file, id, dryRun };
        return command.WithAction(async invocation =>
        {
            var path = invocation.Value(file)!;
            var name = path == "-" ? "stdin" : Path.GetFileName(path);
            var text = path == "-" ? await Console.In.ReadToEndAsync(invocation.CancellationToken) : await ReadFileAsync(path, invocation.CancellationToken);
            var planId = invocation.Value(id) ?? (path == "-" ? throw new CliException("--id is required when the plan comes from standard input.") : Path.GetFileNameWithoutExtension(path));
            var format = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? PlanFormat.Json : PlanFormat.Yaml;
            var renderer = invocation.Out;
            var diffOut = renderer.Format == OutputFormat.Table ? invocation.Terminal.Stdout : invocation.Terminal.Stderr;
            var client = invocation.Client;

            var canonical = PlanText.TryCanonical(text, name, out _, out var secretDefaults);
            // Not diffable when it is not YAML: the server names the error with its line and column (a dry run too).

            var stored = await StoredAsync(client, planId, invocation.CancellationToken);
            if (canonical is not null)
            {
                var before = stored is null ? "" : PlanText.TryCanonical(stored.Value.Yaml, planId, out _) ?? stored.Value.Yaml;
                if (invocation.Namespace is { } wanted && PlanText.TopLevelValue(before, "namespace") is { } storedIn && storedIn != wanted)
                {
                    throw new CliException($"plan {planId} is in namespace '{storedIn}', not '{wanted}': a plan cannot move to another namespace.", ExitCodes.Refused);
                }
                // The stored plan names its namespace; a file that does not leaves it as it is, which is no change.
                before = PlanText.HasTopLevel(canonical, "namespace") ? before : PlanText.WithoutTopLevel(before, "namespace");
                var diff = UnifiedDiff.Create(before, canonical, stored is null ? "/dev/null" : $"{planId} (version {stored.Value.Version}, stored)", name);
                if (secretDefaults)
                {
                    await diffOut.WriteLineAsync("(secret parameters' defaults are shown as ***: the diff cannot tell whether they changed)");
                }
                if (stored is not null && diff.Length == 0 && !secretDefaults)
                {
                    await diffOut.WriteLineAsync($"plan {planId} is unchanged (version {stored.Value.Version}); nothing saved.");
                    renderer.Write(new PlanSaved(planId, stored.Value.Version), _ => { });
                    return ExitCodes.Ok;
                }
                WriteDiff(invocation.Terminal, diffOut, diff);
            }

            if (invocation.Value(dryRun))
            {
                // The server checks everything a save would (errors with line and column) and saves nothing.
                var check = await client.CheckPlanAsync(planId, text, format, invocation.Namespace, invocation.CancellationToken);
                await diffOut.WriteLineAsync($"dry run: plan {planId} is valid ({check.Steps} step{(check.Steps == 1 ? "" : "s")}, namespace {check.Namespace}); not saved.");
                return ExitCodes.Ok;
            }
            try
            {
                var saved = await client.PutPlanAsync(planId, text, format, stored?.Version, invocation.Namespace, invocation.CancellationToken);
                renderer.Write(saved, console => console.WriteLine(saved.Created ? $"plan {saved.Id} created (version 1)" : $"plan {saved.Id} updated to version {saved.Version}"));
                return ExitCodes.Ok;
            }
            catch (OrchestratorApiException e) when (e.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
            {
                ErrorReporter.WriteProblem(e, invocation.Terminal.Stderr, name);
                return ExitCodes.Refused;
            }
            catch (OrchestratorApiException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed)
            {
                throw new CliException($"plan {planId} changed on the server while this was applied (it is no longer version {stored?.Version}); run apply again to see the new diff.", ExitCodes.Refused);
            }
        });
    }

    private static void WriteDiff(Terminal terminal, TextWriter output, string diff)
    {
        if (!terminal.Interactive || output != terminal.Stdout)
        {
            output.Write(diff);
            return;
        }
        foreach (var line in diff.Split('\n', StringSplitOptions.None).SkipLast(1))
        {
            var color = line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) ? "bold"
                : line.StartsWith('+') ? "green" : line.StartsWith('-') ? "red" : line.StartsWith("@@", StringComparison.Ordinal) ? "cyan" : null;
            terminal.Out.MarkupLine(color is null ? Markup.Escape(line) : $"[{color}]{Markup.Escape(line)}[/]");
        }
    }

    private static async Task<string> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"No file '{path}'.");
        }
        return await File.ReadAllTextAsync(path, cancellationToken);
    }

    /// <summary>The stored latest version's number and YAML, or null when there is no such plan.</summary>
    private static async Task<(int Version, string Yaml)?> StoredAsync(OrchestratorClient client, string id, CancellationToken cancellationToken)
    {
        try
        {
            var plan = await client.GetPlanAsync(id, null, cancellationToken);
            return (plan.Version, await client.GetPlanYamlAsync(id, plan.Version, cancellationToken));
        }
        catch (OrchestratorApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static Command Get()
    {
        var id = new Argument<string>("plan") { Description = "The plan's id." };
        var version = new Option<int?>("--version") { Description = "The version (default the latest)." };
        return new Command("get", "A plan version; -o yaml prints its definition as YAML that apply takes back.") { id, version }.WithAction(async invocation =>
        {
            var client = invocation.Client;
            var renderer = invocation.Out;
            if (renderer.Format == OutputFormat.Yaml)
            {
                await invocation.Terminal.Stdout.WriteAsync(await client.GetPlanYamlAsync(invocation.Value(id), invocation.Value(version), invocation.CancellationToken));
                return;
            }
            var plan = await client.GetPlanAsync(invocation.Value(id), invocation.Value(version), invocation.CancellationToken);
            renderer.Write(plan, console =>
            {
                var grid = new Grid().AddColumn().AddColumn();
                grid.AddRow("ID", Renderer.Cell(plan.Id));
                grid.AddRow("VERSION", $"{plan.Version} (latest {plan.LatestVersion})");
                grid.AddRow("NAME", Renderer.Cell(plan.Definition.TryGetProperty("name", out var n) ? n.ToString() : null));
                grid.AddRow("CREATED", Renderer.Cell(plan.CreatedAt));
                grid.AddRow("UPDATED", Renderer.Cell(plan.UpdatedAt));
                grid.AddRow("RECENT RUNS", Renderer.Cell(plan.RecentInstances.Count == 0 ? null : string.Join(", ", plan.RecentInstances)));
                console.Write(grid);
            });
        });
    }

    private static Command List() =>
        new Command("list", "Every plan: id, name, latest version and when it changed.").WithAction(async invocation =>
        {
            var client = invocation.Client;
            var plans = await client.AllAsync((page, ct) => client.ListPlansAsync(page, invocation.Namespace, ct), cancellationToken: invocation.CancellationToken).ToListAsync(invocation.CancellationToken);
            invocation.Out.Write(plans, console =>
            {
                var table = Renderer.NewTable("NAMESPACE", "ID", "NAME", "VERSION", "UPDATED");
                foreach (var plan in plans)
                {
                    table.AddRow(Renderer.Cell(plan.Namespace), Renderer.Cell(plan.Id), Renderer.Cell(plan.Plan?.Name), Renderer.Cell(plan.Plan?.Version), Renderer.Cell(plan.Plan?.UpdatedAt));
                }
                console.Write(table);
            });
        });

    private static Command Versions()
    {
        var id = new Argument<string>("plan") { Description = "The plan's id." };
        return new Command("versions", "Every version of a plan, newest first.") { id }.WithAction(async invocation =>
        {
            var versions = await invocation.Client.ListPlanVersionsAsync(invocation.Value(id), invocation.CancellationToken).ToListAsync(invocation.CancellationToken);
            var rows = versions.Select(v => new PlanVersionRow(v.Id, v.Version, v.Definition.TryGetProperty("name", out var n) ? n.ToString() : null, v.CreatedAt)).ToList();
            invocation.Out.Write(rows, console =>
            {
                var table = Renderer.NewTable("VERSION", "NAME", "CREATED");
                foreach (var row in rows)
                {
                    table.AddRow(Renderer.Cell(row.Version), Renderer.Cell(row.Name), Renderer.Cell(row.CreatedAt));
                }
                console.Write(table);
            });
        });
    }

    /// <summary>One row of <c>plan versions</c>.</summary>
    public sealed record PlanVersionRow(string Id, int Version, string? Name, DateTimeOffset CreatedAt);
}
