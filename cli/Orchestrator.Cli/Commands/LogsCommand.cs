using System.CommandLine;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Output;
using Orchestrator.Client;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch logs INSTANCE STEP HOST [--follow]</c>: a target's log, and with <c>--follow</c> its new output until the run ends.</summary>
public static class LogsCommand
{
    public static Command Logs()
    {
        var instance = Args.Instance();
        var step = new Argument<int>("step") { Description = "The step's index (from 0)." };
        var host = new Argument<string>("host") { Description = "The host." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until the log is complete." };
        var run = new Option<int?>("--run") { Description = "Which run (attempt) of the target (default the latest)." };
        var tail = new Option<int?>("--tail") { Description = "Only the last N chunks (not with --follow)." };
        var command = new Command("logs", "A host target's log (stdout and stderr as the agent sent them).") { instance, step, host, follow, run, tail };
        return command.WithAction(async invocation =>
        {
            var client = invocation.Client;
            var (id, index, name) = (invocation.Value(instance), invocation.Value(step), invocation.Value(host));
            var output = invocation.Terminal.Stdout;
            var renderer = invocation.Out;
            if (invocation.Value(follow))
            {
                if (invocation.Value(tail) is not null)
                {
                    throw new CliException("--tail and --follow do not go together: --follow prints the log from its start.");
                }
                await foreach (var chunk in client.FollowLogAsync(id, index, name, invocation.Value(run), invocation.CancellationToken))
                {
                    if (renderer.Format == OutputFormat.Table)
                    {
                        await output.WriteAsync(chunk.Text);
                    }
                    else
                    {
                        // One JSON object (or YAML document) per chunk, so a script reads them as they come.
                        await output.WriteLineAsync(renderer.Format == OutputFormat.Json
                            ? System.Text.Json.JsonSerializer.Serialize(chunk, Renderer.Json).ReplaceLineEndings(" ")
                            : "---\n" + Renderer.ToYaml(chunk));
                    }
                    await output.FlushAsync();
                }
                return;
            }
            if (renderer.Format != OutputFormat.Table)
            {
                var page = await client.ReadLogAsync(id, index, name, new LogRequest(invocation.Value(run), Tail: invocation.Value(tail)), invocation.CancellationToken);
                renderer.Write(page, _ => { });
                return;
            }
            if (invocation.Value(tail) is { } last)
            {
                await output.WriteAsync(await client.ReadLogTextAsync(id, index, name, new LogRequest(invocation.Value(run), Tail: last), invocation.CancellationToken));
                return;
            }
            // The whole log, page after page.
            long from = 0;
            int? runNumber = invocation.Value(run);
            while (true)
            {
                var page = await client.ReadLogAsync(id, index, name, new LogRequest(runNumber, from, 1000), invocation.CancellationToken);
                runNumber ??= page.Run;
                foreach (var chunk in page.Chunks)
                {
                    await output.WriteAsync(chunk.Text);
                }
                if (page.Chunks.Count == 0 || page.NextSeq <= from)
                {
                    break;
                }
                from = page.NextSeq;
            }
        });
    }
}
