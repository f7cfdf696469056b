using Orchestrator.Cli.App;
using Orchestrator.Cli.Output;
using Orchestrator.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Progress;

/// <summary>
/// <c>--follow</c> of a run: live per-step progress while it goes on (Spectre's live display on a terminal, one plain
/// line per change otherwise), then the outcome with a per-host summary of the failed targets, and the exit code of
/// the outcome (<see cref="ExitCodeOf"/>).
/// </summary>
public sealed class RunFollower(Invocation invocation, TimeProvider clock)
{
    private const int BarWidth = 24;
    private const int MaxFailuresShown = 50;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromSeconds(1);

    private readonly ProgressTracker _tracker = new();
    private readonly Dictionary<int, string> _printed = [];
    private ExecutionStatus? _printedStatus;

    /// <summary>Follows <paramref name="instanceId"/> to its end; returns the exit code of its outcome.</summary>
    public async Task<int> FollowAsync(string instanceId)
    {
        var client = invocation.Client;
        var renderer = invocation.Out;
        var terminal = invocation.Terminal;
        var cancellationToken = invocation.CancellationToken;
        var started = clock.GetUtcNow();
        InstanceProgress? last = null;
        try
        {
            if (renderer.Format != OutputFormat.Table)
            {
                await foreach (var progress in client.WatchAsync(instanceId, cancellationToken))
                {
                    last = progress;
                }
            }
            else if (terminal.Interactive)
            {
                await terminal.Out.Live(new Markup($"following run {Markup.Escape(instanceId)}...")).AutoClear(false).Overflow(VerticalOverflow.Ellipsis)
                    .StartAsync(async live =>
                    {
                        // Drawn on every change and every second between them, so that the elapsed time and ETA move.
                        await using var watch = client.WatchAsync(instanceId, cancellationToken).GetAsyncEnumerator(cancellationToken);
                        var next = watch.MoveNextAsync().AsTask();
                        while (true)
                        {
                            var tick = Task.Delay(RedrawInterval, clock, cancellationToken);
                            if (await Task.WhenAny(next, tick) != next && tick.IsCanceled)
                            {
                                // Interrupted: wait for the watch to see it too (it throws), so that it is not disposed mid-read.
                                await next;
                                cancellationToken.ThrowIfCancellationRequested();
                            }
                            else if (next.IsCompleted)
                            {
                                if (!await next)
                                {
                                    break;
                                }
                                last = watch.Current;
                                next = watch.MoveNextAsync().AsTask();
                            }
                            if (last is not null)
                            {
                                var now = clock.GetUtcNow();
                                live.UpdateTarget(Render(last, _tracker.Update(last, now), now - started));
                                live.Refresh();
                            }
                        }
                    });
            }
            else
            {
                await foreach (var progress in client.WatchAsync(instanceId, cancellationToken))
                {
                    last = progress;
                    await PrintLinesAsync(terminal.Stdout, progress, _tracker.Update(progress, clock.GetUtcNow()));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await terminal.Stderr.WriteLineAsync($"stopped following; run {instanceId} goes on (orch instance get {instanceId}).");
            throw;
        }
        if (last is null)
        {
            throw new CliException($"the watch of run {instanceId} ended without news.", ExitCodes.Unavailable);
        }
        var failures = await FailuresAsync(client, last, cancellationToken);
        if (renderer.Format != OutputFormat.Table)
        {
            renderer.Write(new RunOutcome(last.Instance, failures), _ => { });
        }
        else
        {
            WriteSummary(terminal, last, failures, clock.GetUtcNow() - started);
        }
        return ExitCodeOf(last.Status);
    }

    /// <summary>0 succeeded, 1 failed, 5 cancelled, stopped or another end (<see cref="ExitCodes"/>).</summary>
    public static int ExitCodeOf(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Succeeded => ExitCodes.Ok,
        ExecutionStatus.Failed => ExitCodes.RunFailed,
        _ => ExitCodes.RunNotCompleted,
    };

    private async Task PrintLinesAsync(TextWriter output, InstanceProgress progress, IReadOnlyList<StepProgress> steps)
    {
        if (_printedStatus != progress.Status)
        {
            _printedStatus = progress.Status;
            await output.WriteLineAsync($"run {progress.Id}: {ProgressFormat.Status(progress.Status)}" + (progress.Reason is { } r ? $" ({r})" : ""));
            if (progress.Status == ExecutionStatus.WaitingForApproval)
            {
                await output.WriteLineAsync($"waiting for approval: orch instance approve {progress.Id} --step {progress.CurrentStep}");
            }
        }
        foreach (var step in steps)
        {
            var line = ProgressFormat.Line(step);
            if (!_printed.TryGetValue(step.Index, out var before) || before != line)
            {
                _printed[step.Index] = line;
                await output.WriteLineAsync(line);
            }
        }
        await output.FlushAsync();
    }

    private static IRenderable Render(InstanceProgress progress, IReadOnlyList<StepProgress> steps, TimeSpan elapsed)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("STEP").AddColumn("STATUS").AddColumn("PROGRESS")
            .AddColumn(new TableColumn("SUCCEEDED").RightAligned()).AddColumn(new TableColumn("FAILED").RightAligned())
            .AddColumn(new TableColumn("RUNNING").RightAligned()).AddColumn(new TableColumn("PENDING").RightAligned())
            .AddColumn("BATCH").AddColumn("ETA");
        foreach (var step in steps)
        {
            table.AddRow(
                Markup.Escape($"{step.Index} {step.Name}"),
                StatusMarkup(step.Status),
                Bar(step),
                $"[green]{step.Succeeded}[/]",
                step.Failed > 0 ? $"[red]{step.Failed}[/]" : "0",
                step.Running > 0 ? $"[yellow]{step.Running}[/]" : "0",
                $"{step.Pending}",
                Markup.Escape(step.Batch ?? "-"),
                ProgressFormat.Duration(step.Eta));
        }
        var header = new Markup($"run [bold]{Markup.Escape(progress.Id)}[/] of plan [bold]{Markup.Escape(progress.Instance.PlanId)}[/] v{progress.Instance.PlanVersion}: "
            + $"{StatusMarkup(progress.Status)}  [grey]{ProgressFormat.Duration(elapsed)}[/]");
        var rows = new List<IRenderable> { header, table };
        if (progress.Status == ExecutionStatus.WaitingForApproval)
        {
            rows.Add(new Markup($"[yellow]waiting for approval:[/] orch instance approve {Markup.Escape(progress.Id)} --step {progress.CurrentStep}"));
        }
        return new Rows(rows);
    }

    private static string Bar(StepProgress step)
    {
        if (step.Total == 0)
        {
            return "[grey]" + new string('·', BarWidth) + "[/]";
        }
        int Width(long n) => (int)Math.Round((double)n * BarWidth / step.Total);
        var ok = Width(step.Succeeded);
        var bad = Width(step.Failed);
        var other = Width(step.Other);
        var running = Math.Min(Width(step.Running), BarWidth - ok - bad - other);
        var rest = Math.Max(0, BarWidth - ok - bad - other - running);
        return $"[green]{new string('█', ok)}[/][red]{new string('█', bad)}[/][grey]{new string('▒', other)}[/][yellow]{new string('▓', running)}[/][grey]{new string('░', rest)}[/]";
    }

    private static string StatusMarkup(ExecutionStatus status)
    {
        var color = status switch
        {
            ExecutionStatus.Succeeded => "green",
            ExecutionStatus.Failed => "red",
            ExecutionStatus.Running => "yellow",
            ExecutionStatus.WaitingForApproval or ExecutionStatus.Paused => "blue",
            _ => "grey",
        };
        return $"[{color}]{ProgressFormat.Status(status)}[/]";
    }

    /// <summary>The failed targets of every step that has some, at most <see cref="MaxFailuresShown"/>.</summary>
    private static async Task<List<HostFailure>> FailuresAsync(OrchestratorClient client, InstanceProgress last, CancellationToken cancellationToken)
    {
        var failures = new List<HostFailure>();
        foreach (var step in last.Steps.Where(s => StepProgress.FailedStatuses.Sum(s.Count) > 0))
        {
            await foreach (var target in client.AllAsync((page, ct) => client.ListTargetsAsync(last.Id, step.Index, StepProgress.FailedStatuses, page, ct), cancellationToken: cancellationToken))
            {
                failures.Add(new HostFailure(target.Host, step.Index, step.Name, target.Target.Status, target.Target.ExitCode, target.Target.Error));
                if (failures.Count >= MaxFailuresShown)
                {
                    return failures;
                }
            }
        }
        return failures;
    }

    private static void WriteSummary(Terminal terminal, InstanceProgress last, List<HostFailure> failures, TimeSpan elapsed)
    {
        var output = terminal.Stdout;
        var outcome = $"run {last.Id} {ProgressFormat.Status(last.Status)} after {ProgressFormat.Duration(elapsed)}" + (last.Reason is { } reason ? $": {reason}" : "");
        if (terminal.Interactive)
        {
            terminal.Out.MarkupLine(last.Status == ExecutionStatus.Succeeded ? $"[green]{Markup.Escape(outcome)}[/]" : $"[red]{Markup.Escape(outcome)}[/]");
        }
        else
        {
            output.WriteLine(outcome);
        }
        if (failures.Count == 0)
        {
            return;
        }
        output.WriteLine($"failed hosts ({failures.Count}{(failures.Count >= MaxFailuresShown ? "+" : "")}):");
        var table = Renderer.NewTable("HOST", "STEP", "STATUS", "EXIT", "ERROR");
        foreach (var failure in failures)
        {
            table.AddRow(Renderer.Cell(failure.Host), Renderer.Cell($"{failure.Step} {failure.StepName}"), Renderer.Cell(failure.Status), Renderer.Cell(failure.ExitCode), Renderer.Cell(failure.Error));
        }
        terminal.Out.Write(table);
        output.WriteLine($"logs: orch logs {last.Id} STEP HOST; retry: orch instance retry {last.Id} --failed --step STEP");
    }

    /// <summary>A failed target in the summary.</summary>
    public sealed record HostFailure(string Host, int Step, string StepName, TargetStatus Status, int? ExitCode, string? Error);

    /// <summary>What <c>run --follow -o json|yaml</c> prints at the end: the instance and its failed targets.</summary>
    public sealed record RunOutcome(TaskInstance Instance, IReadOnlyList<HostFailure> Failures);
}
