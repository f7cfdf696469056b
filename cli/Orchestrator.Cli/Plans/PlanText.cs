using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Cli.Plans;

/// <summary>
/// A plan's text in one layout, so that a diff shows what changed rather than how it was written: the server answers
/// its own YAML rendering of a stored plan, the file is as its author wrote it. Both are parsed and written again by the
/// same emitter (block style, comments dropped, multi-line strings as literal blocks), keys in their order.
/// </summary>
public static class PlanText
{
    /// <summary>The canonical YAML of a YAML or JSON plan text; throws <see cref="YamlException"/> with the line and column of a syntax error.</summary>
    public static string Canonical(string text) => Canonical(text, out _);

    /// <summary>
    /// The canonical YAML with the default of every <c>type: secret</c> parameter shown as <c>***</c>, as the server
    /// shows a stored plan, so that a diff never prints a secret. <paramref name="secretDefaults"/>: the text had a
    /// secret default other than <c>***</c> (a value the diff cannot compare).
    /// </summary>
    public static string Canonical(string text, out bool secretDefaults)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        secretDefaults = stream.Documents.Aggregate(false, (found, document) => MaskSecretDefaults(document.RootNode) | found);
        var output = new StringWriter();
        var emitter = new Emitter(output);
        emitter.Emit(new StreamStart());
        foreach (var document in stream.Documents)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: true));
            Write(emitter, document.RootNode);
            emitter.Emit(new DocumentEnd(isImplicit: true));
        }
        emitter.Emit(new StreamEnd());
        return output.ToString();
    }

    private static bool MaskSecretDefaults(YamlNode root)
    {
        var masked = false;
        if (root is YamlMappingNode plan && plan.Children.TryGetValue(new YamlScalarNode("parameters"), out var list) && list is YamlSequenceNode parameters)
        {
            foreach (var parameter in parameters.Children.OfType<YamlMappingNode>())
            {
                var defaultKey = new YamlScalarNode("default");
                if (parameter.Children.TryGetValue(new YamlScalarNode("type"), out var type) && type is YamlScalarNode { Value: "secret" }
                    && parameter.Children.TryGetValue(defaultKey, out var value))
                {
                    masked |= value is not YamlScalarNode { Value: "***" };
                    parameter.Children[defaultKey] = new YamlScalarNode("***");
                }
            }
        }
        return masked;
    }

    private static void Write(IEmitter emitter, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
                foreach (var (key, child) in map.Children)
                {
                    Write(emitter, key);
                    Write(emitter, child);
                }
                emitter.Emit(new MappingEnd());
                break;
            case YamlSequenceNode sequence:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, SequenceStyle.Block));
                foreach (var item in sequence.Children)
                {
                    Write(emitter, item);
                }
                emitter.Emit(new SequenceEnd());
                break;
            case YamlScalarNode scalar:
                var value = scalar.Value ?? "";
                var style = value.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
                    : scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted && LooksLikeOtherType(value) ? ScalarStyle.DoubleQuoted
                    : ScalarStyle.Any;
                emitter.Emit(new Scalar(null, null, value, style, isPlainImplicit: true, isQuotedImplicit: true));
                break;
            default:
                emitter.Emit(new Scalar(""));
                break;
        }
    }

    /// <summary>A quoted value that would read as a number, boolean or null if written plain keeps its quotes.</summary>
    private static bool LooksLikeOtherType(string value) =>
        value.Length == 0 || double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _)
        || value is "true" or "false" or "null" or "~" or "yes" or "no" or "True" or "False" or "Null";

    /// <summary>
    /// The canonical YAML, or null with why the text is not YAML (<paramref name="file"/> with the line and column when
    /// the parser names them; YamlDotNet throws <see cref="InvalidOperationException"/> without a position for some
    /// broken flow collections).
    /// </summary>
    /// <summary>Whether canonical text (as <see cref="Canonical(string)"/> writes it) has the top-level field <paramref name="key"/>.</summary>
    public static bool HasTopLevel(string canonical, string key)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        return canonical.Split('\n').Any(line => line.StartsWith(key + ":", StringComparison.Ordinal));
    }

    /// <summary>The value of the top-level scalar field <paramref name="key"/> of canonical text, or null without one.</summary>
    public static string? TopLevelValue(string canonical, string key)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        return canonical.Split('\n').FirstOrDefault(line => line.StartsWith(key + ":", StringComparison.Ordinal)) is { } found
            ? found[(key.Length + 1)..].Trim().Trim('"', '\'')
            : null;
    }

    /// <summary>Canonical text without its top-level scalar field <paramref name="key"/> (a one-line field, as <c>namespace</c>).</summary>
    public static string WithoutTopLevel(string canonical, string key)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        return string.Join('\n', canonical.Split('\n').Where(line => !line.StartsWith(key + ":", StringComparison.Ordinal)));
    }

    public static string? TryCanonical(string text, string file, out string? error) => TryCanonical(text, file, out error, out _);

    /// <summary><see cref="TryCanonical(string, string, out string?)"/> with secret defaults masked (<see cref="Canonical(string, out bool)"/>).</summary>
    public static string? TryCanonical(string text, string file, out string? error, out bool secretDefaults)
    {
        secretDefaults = false;
        try
        {
            error = null;
            return Canonical(text, out secretDefaults);
        }
        catch (YamlException e)
        {
            error = Describe(e, file);
        }
        catch (InvalidOperationException e)
        {
            var (line, column) = LastGoodPosition(text);
            error = $"{file} line {line}, column {column}: not valid YAML after this point ({e.Message})";
        }
        return null;
    }

    /// <summary>Where the last event the parser could read ended: the place to look when it fails without a position.</summary>
    private static (long Line, long Column) LastGoodPosition(string text)
    {
        var parser = new Parser(new StringReader(text));
        var (line, column) = (1L, 1L);
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is { } current)
                {
                    (line, column) = (current.End.Line, current.End.Column);
                }
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // Where it stopped is the answer.
        }
        return (line, column);
    }

    /// <summary>A short description of a YAML syntax error with its position.</summary>
    public static string Describe(YamlException error, string file)
    {
        ArgumentNullException.ThrowIfNull(error);
        var text = new StringBuilder();
        text.Append(file).Append(" line ").Append(error.Start.Line).Append(", column ").Append(error.Start.Column).Append(": ").Append(error.Message);
        return text.ToString();
    }
}
