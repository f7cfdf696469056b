using System.CommandLine;
using Orchestrator.Cli.App;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Progress;
using Orchestrator.Client;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch instance (or runs) list|get|watch|cancel|retry|skip|continue|approve|reject</c>.</summary>
public static class InstanceCommands
{
    public static Command Instance()
    {
        var command = new Command("instance", "Task instances (runs): read them and act on them.");
        command.Aliases.Add("instances");
        command.Aliases.Add("runs");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(Watch());
        command.Subcommands.Add(Cancel());
        command.Subcommands.Add(Retry());
        command.Subcommands.Add(StepAction("skip", "Skip a step: ahead of time, a running or paused one (its running targets are killed), or a failed one of a failed run.",
            (c, id, step, reason, ct) => c.SkipStepAsync(id, step, reason, ct)));
        command.Subcommands.Add(StepAction("continue", "Continue a paused rollout with its next batch.", (c, id, step, reason, ct) => c.ContinueStepAsync(id, step, reason, ct)));
        command.Subcommands.Add(StepAction("approve", "Approve an approval step (default the step waiting for approval).", (c, id, step, reason, ct) => c.ApproveStepAsync(id, step, reason, ct)));
        command.Subcommands.Add(StepAction("reject", "Reject an approval step (default the step waiting for approval).", (c, id, step, reason, ct) => c.RejectStepAsync(id, step, reason, ct)));
        return command;
    }

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "Only runs in this status (pending, running, waitingForApproval, succeeded, failed, ...)." };
        var limit = new Option<int>("--limit") { Description = "How many (1 to 1000, default 50).", DefaultValueFactory = _ => 50 };
        var after = new Option<string?>("--after") { Description = "Start after this page key (the 'next' a previous list printed)." };
        var plan = new Option<string?>("--plan") { Description = "Only runs of this plan id." };
        var by = new Option<string?>("--by") { Description = "Only runs this principal started (as the API names it: a token's name, a JWT's subject)." };
        var since = new Option<string?>("--since") { Description = "Created from this time on (inclusive): a duration before now (30m, 1h, 7d) or an ISO time." };
        var until = new Option<string?>("--until") { Description = "Created before this time (exclusive): a duration before now or an ISO time." };
        return new Command("list", "Task instances, newest first; the namespace is the global --namespace (default: every one you may read).")
        {
            status, plan, by, since, until, limit, after,
        }.WithAction(async invocation =>
        {
            var now = TimeProvider.System.GetUtcNow();
            var from = invocation.Value(since) is { } fromText ? TimeArgs.PointInTime(fromText, "--since", now) : (DateTimeOffset?)null;
            var to = invocation.Value(until) is { } toText ? TimeArgs.PointInTime(toText, "--until", now) : (DateTimeOffset?)null;
            if (from is not null && to is not null && to <= from)
            {
                throw new CliException($"--until ({Renderer.Cell(to)}) is not after --since ({Renderer.Cell(from)}).");
            }
            ExecutionStatus? filter = null;
            if (invocation.Value(status) is { } s)
            {
                filter = Enum.TryParse<ExecutionStatus>(s, ignoreCase: true, out var parsed) && !int.TryParse(s, out _) && parsed != ExecutionStatus.Unknown
                    ? parsed
                    : throw new CliException($"--status '{s}' is not a status; one of {string.Join(", ", Enum.GetValues<ExecutionStatus>().Where(x => x != ExecutionStatus.Unknown).Select(x => x.ToApiName()))}.");
            }
            var query = new InstanceFilter(filter, invocation.Value(plan), invocation.Namespace, invocation.Value(by), from, to);
            var page = await invocation.Client.QueryInstancesAsync(query, new PageRequest(invocation.Value(after), invocation.Value(limit)), invocation.CancellationToken);
            invocation.Out.Write(page, console =>
            {
                var table = Renderer.NewTable("NAMESPACE", "ID", "PLAN", "VERSION", "STATUS", "BY", "CREATED", "FINISHED");
                foreach (var item in page.Items)
                {
                    table.AddRow(Renderer.Cell(item.Namespace), Renderer.Cell(item.Id), Renderer.Cell(item.Instance.PlanId), Renderer.Cell(item.Instance.PlanVersion), Renderer.Cell(item.Instance.Status),
                        Renderer.Cell(item.Instance.By), Renderer.Cell(item.Instance.CreatedAt), Renderer.Cell(item.Instance.FinishedAt));
                }
                console.Write(table);
                if (page.Next is { } next)
                {
                    console.WriteLine($"more: --after {next}");
                }
            });
        });
    }

    private static Command Get()
    {
        var id = Args.Instance();
        return new Command("get", "A task instance: status, why, parameters, each step with its target counts, the actions taken.") { id }.WithAction(async invocation =>
        {
            var instance = await invocation.Client.GetInstanceAsync(invocation.Value(id), invocation.CancellationToken);
            invocation.Out.Write(instance, console => WriteInstance(console, instance));
        });
    }

    private static void WriteInstance(IAnsiConsole console, TaskInstance instance)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("ID", Renderer.Cell(instance.Id));
        grid.AddRow("PLAN", Renderer.Cell($"{instance.PlanId} version {instance.PlanVersion}" + (instance.PlanName is { } n ? $" ({n})" : "")));
        grid.AddRow("STATUS", Renderer.Cell(instance.Status));
        if (instance.Reason is not null)
        {
            grid.AddRow("REASON", Renderer.Cell(instance.Reason));
        }
        grid.AddRow("CREATED", Renderer.Cell(instance.CreatedAt) + (instance.By is { } by ? Renderer.Cell($" by {by}") : ""));
        grid.AddRow("STARTED", Renderer.Cell(instance.StartedAt));
        grid.AddRow("FINISHED", Renderer.Cell(instance.FinishedAt));
        if (instance.Parameters.Count > 0)
        {
            grid.AddRow("PARAMETERS", Renderer.Cell(string.Join(", ", instance.Parameters.Select(p => $"{p.Key}={p.Value}"))));
        }
        console.Write(grid);
        var steps = Renderer.NewTable("STEP", "NAME", "KIND", "STATUS", "ATTEMPT", "TARGETS", "REASON");
        foreach (var step in instance.Steps)
        {
            var counts = step.Targets is null or { Count: 0 } ? "-" : string.Join(" ", step.Targets.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
            steps.AddRow(Renderer.Cell(step.Index), Renderer.Cell(step.Name), Renderer.Cell(step.Kind), Renderer.Cell(step.Status), Renderer.Cell(step.Attempt), Renderer.Cell(counts), Renderer.Cell(step.Reason));
        }
        console.Write(steps);
        if (instance.Actions.Count > 0)
        {
            var actions = Renderer.NewTable("AT", "ACTION", "STEP", "BY", "REASON");
            foreach (var action in instance.Actions)
            {
                actions.AddRow(Renderer.Cell(action.At), Renderer.Cell(action.Action), Renderer.Cell(action.StepIndex), Renderer.Cell(action.By), Renderer.Cell(action.Reason));
            }
            console.Write(actions);
        }
    }

    private static Command Watch()
    {
        var id = Args.Instance();
        return new Command("watch", "Follow a run's progress until it ends (as run --follow); the exit code tells its outcome.") { id }
            .WithAction(invocation => new RunFollower(invocation, TimeProvider.System).FollowAsync(invocation.Value(id)));
    }

    private static Command Cancel()
    {
        var id = Args.Instance();
        var reason = Args.Reason();
        return new Command("cancel", "Cancel a run: targets not started never start, running scripts are killed.") { id, reason }.WithAction(async invocation =>
        {
            var result = await invocation.Client.CancelInstanceAsync(invocation.Value(id), invocation.Value(reason), invocation.CancellationToken);
            invocation.Out.Write(result, console => console.WriteLine($"run {result.Id}: cancel requested"));
        });
    }

    private static Command Retry()
    {
        var id = Args.Instance();
        var step = Args.Step("The step to run again (default the first failed step).");
        var failed = new Option<bool>("--failed") { Description = "Run its failed targets again (the default)." };
        var notStarted = new Option<bool>("--not-started") { Description = "Run the targets that never started (cancelled, skipped, pending)." };
        var all = new Option<bool>("--all") { Description = "Run every target again." };
        var command = new Command("retry", "Run a finished step again over its failed (or not started, or all) targets; the run then goes on with the next steps.")
        {
            id, step, failed, notStarted, all,
        };
        return command.WithAction(async invocation =>
        {
            var chosen = new[] { (invocation.Value(failed), RetrySet.Failed), (invocation.Value(notStarted), RetrySet.NotStarted), (invocation.Value(all), RetrySet.All) }
                .Where(c => c.Item1).Select(c => c.Item2).ToList();
            if (chosen.Count > 1)
            {
                throw new CliException("retry takes one of --failed, --not-started and --all.");
            }
            var set = chosen.Count == 0 ? RetrySet.Failed : chosen[0];
            var instanceId = invocation.Value(id);
            var index = invocation.Value(step) ?? await DefaultStepAsync(invocation.Client, instanceId, s => s.Status == ExecutionStatus.Failed, "failed", invocation.CancellationToken);
            var result = await invocation.Client.RetryStepAsync(instanceId, index, set, invocation.CancellationToken);
            invocation.Out.Write(result, console => console.WriteLine($"run {result.Id}: step {index} retried ({set.ToApiName()} targets)"));
        });
    }

    private static Command StepAction(string name, string description, Func<OrchestratorClient, string, int, string?, CancellationToken, Task<ControlResult>> act)
    {
        var id = Args.Instance();
        var step = Args.Step(name is "approve" or "reject" ? "The approval step (default the one waiting for approval)." : "The step (default the run's current step).");
        var reason = Args.Reason();
        return new Command(name, description) { id, step, reason }.WithAction(async invocation =>
        {
            var instanceId = invocation.Value(id);
            var index = invocation.Value(step) ?? (name is "approve" or "reject"
                ? await DefaultStepAsync(invocation.Client, instanceId, s => s.Status == ExecutionStatus.WaitingForApproval, "waiting for approval", invocation.CancellationToken)
                : (await invocation.Client.GetInstanceAsync(instanceId, invocation.CancellationToken)).CurrentStep);
            var result = await act(invocation.Client, instanceId, index, invocation.Value(reason), invocation.CancellationToken);
            invocation.Out.Write(result, console => console.WriteLine($"run {result.Id}: step {index} {name} done"));
        });
    }

    /// <summary>The first step that matches, or a message asking for --step.</summary>
    private static async Task<int> DefaultStepAsync(OrchestratorClient client, string id, Func<StepState, bool> match, string what, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(id, cancellationToken);
        return instance.Steps.FirstOrDefault(match)?.Index
            ?? throw new CliException($"run {id} has no step {what} (it is {instance.Status.ToApiName()}); name one with --step N.");
    }
}
