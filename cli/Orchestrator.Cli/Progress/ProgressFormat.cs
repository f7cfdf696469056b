using System.Globalization;
using Orchestrator.Client;

namespace Orchestrator.Cli.Progress;

/// <summary>The words and numbers of the progress views, shared by the live table and the plain lines.</summary>
public static class ProgressFormat
{
    public static string Duration(TimeSpan? value) => value switch
    {
        null => "-",
        { TotalHours: >= 1 } t => string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:00}m"),
        { TotalMinutes: >= 1 } t => string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:00}s"),
        { } t => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)Math.Ceiling(t.TotalSeconds))}s"),
    };

    public static string Status(ExecutionStatus status) => status.ToApiName();

    /// <summary>One line per step for a log or a pipe: <c>step 0 greet: running succeeded=1 failed=0 running=2 pending=3 batch=2/5 eta=4s</c>.</summary>
    public static string Line(StepProgress step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"step {step.Index} {step.Name}: {Status(step.Status)} succeeded={step.Succeeded} failed={step.Failed} running={step.Running} pending={step.Pending}");
        if (step.Other > 0)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" other={step.Other}");
        }
        if (step.Batch is not null)
        {
            line += $" batch={step.Batch}";
        }
        if (step.Eta is not null)
        {
            line += $" eta={Duration(step.Eta)}";
        }
        return line;
    }
}
