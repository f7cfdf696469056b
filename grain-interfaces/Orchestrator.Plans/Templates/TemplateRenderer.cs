namespace Orchestrator.Plans.Templates;

/// <summary>
/// Renders <c>${{ expression }}</c> placeholders (whitespace inside the braces optional). Expressions are dotted
/// paths: <c>params.NAME</c>, <c>steps.STEP.outputs.NAME</c>, <c>steps.STEP.succeededHosts</c>,
/// <c>steps.STEP.failedHosts</c>, <c>previous.succeededHosts</c>, <c>previous.failedHosts</c>, <c>task.id</c>,
/// <c>step.name</c>, <c>attempt</c>, <c>host</c>. <c>$${{</c> escapes a literal <c>${{</c>.
/// </summary>
public static class TemplateRenderer
{
    /// <summary>Replaces every placeholder with what <paramref name="resolve"/> returns; null (unknown) throws <see cref="FormatException"/>.</summary>
    public static string Render(string template, Func<string, string?> resolve) => throw new NotImplementedException();

    /// <summary>The expressions a template references, in order of appearance.</summary>
    public static IReadOnlyList<string> References(string template) => throw new NotImplementedException();
}
