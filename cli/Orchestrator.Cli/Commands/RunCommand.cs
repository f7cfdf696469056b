using System.CommandLine;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Progress;
using Orchestrator.Client;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch run PLAN --param k=v ... [--follow]</c>.</summary>
public static class RunCommand
{
    public static Command Run()
    {
        var plan = new Argument<string>("plan") { Description = "The plan's id." };
        var parameters = Args.Params();
        var version = new Option<int?>("--version") { Description = "The plan version to run (default the latest)." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Show the run's progress until it ends; the exit code tells its outcome (0 succeeded, 1 failed, 5 cancelled or stopped)." };
        var command = new Command("run", "Run a plan: a new task instance with the given parameters.") { plan, parameters, version, follow };
        return command.WithAction(async invocation =>
        {
            var values = Args.ParsePairs(invocation.Value(parameters), "--param");
            var request = new RunRequest { Parameters = values.Count == 0 ? null : values, Version = invocation.Value(version) };
            var started = await invocation.Client.RunPlanAsync(invocation.Value(plan), request, invocation.CancellationToken);
            if (!invocation.Value(follow))
            {
                invocation.Out.Write(started, console => console.WriteLine($"started run {started.Id} of plan {started.PlanId} version {started.PlanVersion}"));
                return ExitCodes.Ok;
            }
            if (invocation.Out.Format == Output.OutputFormat.Table && !invocation.Terminal.Interactive)
            {
                await invocation.Terminal.Stdout.WriteLineAsync($"started run {started.Id} of plan {started.PlanId} version {started.PlanVersion}");
            }
            return await new RunFollower(invocation, TimeProvider.System).FollowAsync(started.Id);
        });
    }
}
