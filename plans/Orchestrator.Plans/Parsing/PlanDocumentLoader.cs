using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Plans.Parsing;

/// <summary>
/// Turns plan text into one YAML node tree, or syntax errors with their positions. JSON is loaded by the YAML parser
/// too (JSON is YAML's flow style), so that both formats share one reader and one notion of position; it is first
/// checked by System.Text.Json, which refuses what JSON does not allow (trailing commas, comments, single quotes)
/// and places syntax errors better than a YAML parser would.
/// </summary>
internal static partial class PlanDocumentLoader
{
    /// <summary>Deeper than any plan needs (a plan is about six levels deep) and than the stack minds.</summary>
    public const int MaxDepth = 64;

    public static YamlNode? LoadYaml(string text, List<PlanError> errors)
    {
        var parser = new PositionTrackingParser(new Parser(new StringReader(text)));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            var (line, column) = e.Start.Line > 0 ? ((int)e.Start.Line, (int)e.Start.Column) : ((int)parser.LastEnd.Line, (int)parser.LastEnd.Column);
            if (e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(text, line) is { } tab)
            {
                // YamlDotNet places a tab in the indentation at the start of the enclosing mapping; the tab is what to fix.
                (line, column) = tab;
            }

            errors.Add(new PlanError("", $"Not valid YAML: {Sentence(e.Message)}", line, column));
            return null;
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this on some malformed flow collections; the last good event is where the
            // trouble started.
            var at = parser.LastEnd;
            errors.Add(new PlanError("", $"Not valid YAML after this point ({e.Message})", (int)at.Line, (int)at.Column));
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            errors.Add(new PlanError("", "The document is empty; a plan needs at least a name and steps.", 1, 1));
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            errors.Add(new PlanError("", "A plan file holds one document; found another after '---'.", (int)second.Line, (int)second.Column));
            return null;
        }

        return stream.Documents[0].RootNode;
    }

    public static YamlNode? LoadJson(string text, List<PlanError> errors)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions
            {
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
            });
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0);
            var column = CharColumn(text, line, (int)(e.BytePositionInLine ?? 0));
            errors.Add(new PlanError("", $"Not valid JSON: {Sentence(JsonPosition().Replace(e.Message, ""))}", line + 1, column + 1));
            return null;
        }

        return LoadYaml(text, errors);
    }

    /// <summary>The first tab in a line's indentation, from line <paramref name="fromLine"/> on.</summary>
    private static (int Line, int Column)? FirstTabIndent(string text, int fromLine)
    {
        var lines = text.Split('\n');
        for (var i = Math.Max(0, fromLine - 1); i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', 0, indent);
            if (tab >= 0)
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }

    /// <summary>System.Text.Json counts bytes of UTF-8 within a line; a person counts characters.</summary>
    private static int CharColumn(string text, int zeroBasedLine, int bytePosition)
    {
        var lines = text.Split('\n');
        if (zeroBasedLine >= lines.Length)
        {
            return bytePosition;
        }

        var bytes = Encoding.UTF8.GetBytes(lines[zeroBasedLine]);
        return Encoding.UTF8.GetCharCount(bytes, 0, Math.Min(bytePosition, bytes.Length));
    }

    private static string Sentence(string message)
    {
        var trimmed = message.Trim();
        return trimmed.EndsWith('.') ? trimmed : trimmed + ".";
    }

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?", RegexOptions.CultureInvariant)]
    private static partial Regex JsonPosition();

    /// <summary>
    /// Remembers where the last event parsed ended, for errors that arrive without a position; and refuses nesting
    /// deeper than <see cref="MaxDepth"/>, because building the node tree recurses once per level and a stack
    /// overflow cannot be caught.
    /// </summary>
    private sealed class PositionTrackingParser(IParser inner) : IParser
    {
        private int _depth;

        public Mark LastEnd { get; private set; } = new(0, 1, 1);

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            if (moved && inner.Current is { } current)
            {
                LastEnd = current.End;
                _depth += current.NestingIncrease;
                if (_depth > MaxDepth)
                {
                    throw new SemanticErrorException(current.Start, current.End, $"The document nests deeper than {MaxDepth} levels.");
                }
            }

            return moved;
        }
    }
}
