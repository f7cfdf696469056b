using System.Text;

namespace Orchestrator.Cli.Plans;

/// <summary>
/// A unified diff of two texts by lines (as <c>diff -u</c> prints it, 3 lines of context), from the longest common
/// subsequence of the lines. Plans are small (a few hundred lines), so the quadratic table costs nothing.
/// </summary>
public static class UnifiedDiff
{
    private const int Context = 3;

    /// <summary>The diff, or an empty string when the texts have the same lines.</summary>
    public static string Create(string oldText, string newText, string oldName, string newName)
    {
        ArgumentNullException.ThrowIfNull(oldText);
        ArgumentNullException.ThrowIfNull(newText);
        var a = Lines(oldText);
        var b = Lines(newText);
        var edits = Edits(a, b);
        if (edits.All(e => e.Kind == ' '))
        {
            return "";
        }
        var text = new StringBuilder();
        text.Append("--- ").AppendLine(oldName).Append("+++ ").AppendLine(newName);
        var i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Kind == ' ')
            {
                i++;
                continue;
            }
            // A hunk: from up to Context lines before this change to Context lines after the last change that is
            // within 2 * Context lines of the one before it.
            var start = Math.Max(0, i - Context);
            var end = i;
            while (true)
            {
                var next = end + 1;
                while (next < edits.Count && edits[next].Kind == ' ')
                {
                    next++;
                }
                if (next < edits.Count && next - end - 1 <= 2 * Context)
                {
                    end = next;
                    continue;
                }
                break;
            }
            var stop = Math.Min(edits.Count, end + Context + 1);
            var hunk = edits.GetRange(start, stop - start);
            var oldStart = hunk.FirstOrDefault(e => e.Kind != '+')?.OldLine ?? OldLineBefore(edits, start);
            var newStart = hunk.FirstOrDefault(e => e.Kind != '-')?.NewLine ?? NewLineBefore(edits, start);
            var oldCount = hunk.Count(e => e.Kind != '+');
            var newCount = hunk.Count(e => e.Kind != '-');
            text.Append("@@ -").Append(Range(oldStart, oldCount)).Append(" +").Append(Range(newStart, newCount)).AppendLine(" @@");
            foreach (var edit in hunk)
            {
                text.Append(edit.Kind).AppendLine(edit.Text);
            }
            i = stop;
        }
        return text.ToString();
    }

    private static string Range(int start, int count) => count == 1 ? $"{start}" : $"{(count == 0 ? start - 1 : start)},{count}";

    private static int OldLineBefore(List<Edit> edits, int index) => edits.Take(index).LastOrDefault(e => e.Kind != '+')?.OldLine + 1 ?? 1;

    private static int NewLineBefore(List<Edit> edits, int index) => edits.Take(index).LastOrDefault(e => e.Kind != '-')?.NewLine + 1 ?? 1;

    private static string[] Lines(string text)
    {
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (normalized.EndsWith('\n'))
        {
            normalized = normalized[..^1];
        }
        return normalized.Length == 0 ? [] : normalized.Split('\n');
    }

    /// <summary>The edit script: each line kept (' '), removed ('-') or added ('+'), with its 1-based line numbers.</summary>
    private static List<Edit> Edits(string[] a, string[] b)
    {
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }
        var edits = new List<Edit>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                edits.Add(new Edit(' ', a[x], x + 1, y + 1));
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || common[x + 1, y] >= common[x, y + 1]))
            {
                // Removals before additions, as diff -u prints a changed line.
                edits.Add(new Edit('-', a[x], x + 1, 0));
                x++;
            }
            else
            {
                edits.Add(new Edit('+', b[y], 0, y + 1));
                y++;
            }
        }
        return edits;
    }

    private sealed record Edit(char Kind, string Text, int OldLine, int NewLine);
}
