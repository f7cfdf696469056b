using System.Diagnostics.CodeAnalysis;
using Orchestrator.Plans.Model;

namespace Orchestrator.Plans.Templates;

/// <summary>What a <see cref="TemplateExpression"/> refers to.</summary>
public enum TemplateExpressionKind
{
    /// <summary><c>params.NAME</c>: a parameter's value.</summary>
    Parameter,

    /// <summary><c>steps.STEP.outputs.NAME</c>: an output an earlier step's script set with <c>::set-output</c>.</summary>
    StepOutput,

    /// <summary><c>steps.STEP.succeededHosts</c> or <c>previous.succeededHosts</c>: comma-separated host names.</summary>
    StepSucceededHosts,

    /// <summary><c>steps.STEP.failedHosts</c> or <c>previous.failedHosts</c>: comma-separated host names.</summary>
    StepFailedHosts,

    /// <summary><c>task.id</c>: the task instance's id.</summary>
    TaskId,

    /// <summary><c>step.name</c>: the current step's name.</summary>
    StepName,

    /// <summary><c>attempt</c>: the current target's attempt number, starting at 1.</summary>
    Attempt,

    /// <summary><c>host</c>: the current target's host name.</summary>
    Host,
}

/// <summary>
/// A parsed template expression. <see cref="Step"/> is the step name for the step kinds (<c>previous</c>, see
/// <see cref="StepHostsReference.Previous"/>, for the step just before); <see cref="Name"/> is the parameter or output name.
/// </summary>
public sealed record TemplateExpression(TemplateExpressionKind Kind, string? Step = null, string? Name = null)
{
    /// <summary>Parses an expression; throws <see cref="FormatException"/> listing what is allowed.</summary>
    public static TemplateExpression Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return TryParse(expression, out var parsed, out var error) ? parsed : throw new FormatException(error);
    }

    /// <summary>Parses an expression without throwing.</summary>
    public static bool TryParse(
        string? expression,
        [NotNullWhen(true)] out TemplateExpression? result,
        [NotNullWhen(false)] out string? error)
    {
        var text = (expression ?? "").Trim();
        var parts = text.Split('.');
        result = parts switch
        {
            ["params", var name] when IsName(name) => new(TemplateExpressionKind.Parameter, Name: name),
            ["steps", var step, "outputs", var name] when IsName(step) && IsName(name) =>
                new(TemplateExpressionKind.StepOutput, step, name),
            ["steps", var step, "succeededHosts"] when IsName(step) => new(TemplateExpressionKind.StepSucceededHosts, step),
            ["steps", var step, "failedHosts"] when IsName(step) => new(TemplateExpressionKind.StepFailedHosts, step),
            ["previous", "succeededHosts"] => new(TemplateExpressionKind.StepSucceededHosts, StepHostsReference.Previous),
            ["previous", "failedHosts"] => new(TemplateExpressionKind.StepFailedHosts, StepHostsReference.Previous),
            ["task", "id"] => new(TemplateExpressionKind.TaskId),
            ["step", "name"] => new(TemplateExpressionKind.StepName),
            ["attempt"] => new(TemplateExpressionKind.Attempt),
            ["host"] => new(TemplateExpressionKind.Host),
            _ => null,
        };

        error = result is null
            ? $"Template expression '{text}' is unknown; use params.NAME, steps.STEP.outputs.NAME, steps.STEP.succeededHosts, "
              + "steps.STEP.failedHosts, previous.succeededHosts, previous.failedHosts, task.id, step.name, attempt or host."
            : null;
        return result is not null;
    }

    /// <summary>Whether the expression names the step just before the current one.</summary>
    public bool IsPrevious => Step == StepHostsReference.Previous;

    /// <summary>The expression in canonical form, as written inside <c>${{ }}</c>.</summary>
    public override string ToString() => Kind switch
    {
        TemplateExpressionKind.Parameter => $"params.{Name}",
        TemplateExpressionKind.StepOutput => $"steps.{Step}.outputs.{Name}",
        TemplateExpressionKind.StepSucceededHosts => IsPrevious ? "previous.succeededHosts" : $"steps.{Step}.succeededHosts",
        TemplateExpressionKind.StepFailedHosts => IsPrevious ? "previous.failedHosts" : $"steps.{Step}.failedHosts",
        TemplateExpressionKind.TaskId => "task.id",
        TemplateExpressionKind.StepName => "step.name",
        TemplateExpressionKind.Attempt => "attempt",
        _ => "host",
    };

    private static bool IsName(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
