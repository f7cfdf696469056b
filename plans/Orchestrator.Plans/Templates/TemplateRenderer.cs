using System.Text;

namespace Orchestrator.Plans.Templates;

/// <summary>
/// Renders <c>${{ expression }}</c> placeholders (whitespace inside the braces optional). Expressions are dotted
/// paths: <c>params.NAME</c>, <c>steps.STEP.outputs.NAME</c>, <c>steps.STEP.succeededHosts</c>,
/// <c>steps.STEP.failedHosts</c>, <c>previous.succeededHosts</c>, <c>previous.failedHosts</c>, <c>task.id</c>,
/// <c>step.name</c>, <c>attempt</c>, <c>host</c>. <c>$${{</c> escapes a literal <c>${{</c>.
/// </summary>
/// <remarks>
/// Rendering is one pass: a substituted value is never scanned again, so a parameter value that happens to contain
/// <c>${{</c> stays literal text. <see cref="TemplateExpression"/> parses an expression into its parts.
/// </remarks>
public static class TemplateRenderer
{
    private const string Open = "${{";
    private const string Escape = "$${{";
    private const string Close = "}}";

    /// <summary>Replaces every placeholder with what <paramref name="resolve"/> returns; null (unknown) throws <see cref="FormatException"/>.</summary>
    public static string Render(string template, Func<string, string?> resolve)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(resolve);
        var output = new StringBuilder(template.Length);
        Scan(
            template,
            literal => output.Append(literal),
            expression => output.Append(resolve(expression)
                ?? throw new FormatException($"Template expression '{expression}' is unknown or has no value.")));
        return output.ToString();
    }

    /// <summary>The expressions a template references, in order of appearance.</summary>
    public static IReadOnlyList<string> References(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var references = new List<string>();
        Scan(template, static _ => { }, references.Add);
        return references;
    }

    /// <summary>Whether the text holds a placeholder or an escape, i.e. whether rendering could change it.</summary>
    public static bool HasPlaceholders(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains(Open, StringComparison.Ordinal);
    }

    private static void Scan(string template, Action<ReadOnlyMemory<char>> literal, Action<string> placeholder)
    {
        var start = 0;
        var i = 0;
        while (i < template.Length)
        {
            if (string.CompareOrdinal(template, i, Escape, 0, Escape.Length) == 0)
            {
                literal(template.AsMemory(start, i - start));
                literal(Open.AsMemory());
                i += Escape.Length;
                start = i;
            }
            else if (string.CompareOrdinal(template, i, Open, 0, Open.Length) == 0)
            {
                literal(template.AsMemory(start, i - start));
                var close = template.IndexOf(Close, i + Open.Length, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new FormatException(
                        $"Template placeholder opened at position {i + 1} with '${{{{' is not closed with '}}}}'.");
                }

                var expression = template[(i + Open.Length)..close].Trim();
                if (expression.Length == 0)
                {
                    throw new FormatException($"Template placeholder at position {i + 1} is empty.");
                }

                placeholder(expression);
                i = close + Close.Length;
                start = i;
            }
            else
            {
                i++;
            }
        }

        literal(template.AsMemory(start, template.Length - start));
    }
}
