using System.Globalization;
using Orchestrator.Plans.Model;
using YamlDotNet.Core;
using Orchestrator.Plans.Validation;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Plans.Parsing;

/// <summary>
/// Reads typed values out of YAML nodes (JSON is loaded as YAML too), collecting every error with the node's
/// position instead of stopping at the first, and remembering where each path was found so that errors found later
/// on the model (<see cref="Validation.PlanValidator"/>) can be pointed back at the text.
/// </summary>
internal sealed class NodeReader
{
    private readonly List<PlanError> _errors = [];
    private readonly Dictionary<string, Mark> _positions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _incomplete = new(StringComparer.Ordinal);

    public IReadOnlyList<PlanError> Errors => _errors;

    /// <summary>
    /// Whether the model's value at <paramref name="path"/> may be wrong because of an error reported already: the path
    /// (or one around it) had a read error, or it is a list that lost an item, or a field the reader could not fill.
    /// </summary>
    public bool AlreadyReported(string path) =>
        _errors.Any(e => PlanPath.IsWithin(path, e.Path)) || _incomplete.Any(p => PlanPath.IsWithin(path, p));

    /// <summary>Marks a path whose value was left at its default because of an error reported elsewhere.</summary>
    public void MarkIncomplete(string path) => _incomplete.Add(path);

    /// <summary>
    /// More values than any plan has. YAML aliases let a small text name one node many times over (the "billion
    /// laughs"); each use is read again, so the count of reads is what needs a limit, not the size of the text.
    /// </summary>
    public const int MaxValues = 100_000;

    private int _values;

    public void Remember(string path, YamlNode node)
    {
        if (++_values > MaxValues)
        {
            throw new PlanTooLargeException(node.Start);
        }

        _positions.TryAdd(path, node.Start);
    }

    public void Error(string path, YamlNode node, string message) => Error(path, node.Start, message);

    public void Error(string path, Mark at, string message) =>
        _errors.Add(new PlanError(path, message, (int)at.Line, (int)at.Column));

    /// <summary>Gives an error found on the model the position of its path, or of the nearest enclosing path found.</summary>
    public PlanError Locate(PlanError error)
    {
        for (var path = error.Path; path is not null; path = PlanPath.Parent(path))
        {
            if (_positions.TryGetValue(path, out var mark))
            {
                return error with { Line = (int)mark.Line, Column = (int)mark.Column };
            }
        }

        return error;
    }

    /// <summary>YAML's null: <c>~</c>, <c>null</c> or nothing at all, unquoted.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public MappingFields? Mapping(YamlNode node, string path, string what, IReadOnlyList<string> allowed)
    {
        Remember(path, node);
        if (node is not YamlMappingNode mapping)
        {
            Error(path, node, $"Expected {what} (a mapping of {string.Join(", ", allowed)}), found {Describe(node)}.");
            return null;
        }

        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Error(path, keyNode, $"Expected a field name in {what}, found {Describe(keyNode)}.");
                continue;
            }

            if (!allowed.Contains(key))
            {
                var hint = NameSuggestions.Closest(key, allowed) is { } near ? $" Did you mean '{near}'?" : "";
                // A key far longer than any field name is not worth a path or a suggestion of its own.
                var keyPath = key.Length > PlanLimits.MaxQuotedLength ? path : PlanPath.Field(path, key);
                Error(keyPath, keyNode, $"Unknown field '{PlanLimits.Excerpt(key)}' in {what}.{hint} Allowed: {string.Join(", ", allowed)}.");
                continue;
            }

            Remember(PlanPath.Field(path, key), value);
            fields[key] = value;
        }

        return new MappingFields(this, path, fields);
    }

    public string? String(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }

        Error(path, node, $"Expected a string, found {Describe(node)}.");
        return null;
    }

    public int? Int(YamlNode node, string path)
    {
        var text = Scalar(node, path, "a whole number");
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Error(path, node, $"Expected a whole number, found '{PlanLimits.Excerpt(text)}'.");
        return null;
    }

    public double? Double(YamlNode node, string path)
    {
        var text = Scalar(node, path, "a number");
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        Error(path, node, $"Expected a number, found '{PlanLimits.Excerpt(text)}'.");
        return null;
    }

    public bool? Bool(YamlNode node, string path)
    {
        var text = Scalar(node, path, "true or false");
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Error(path, node, $"Expected true or false, found '{PlanLimits.Excerpt(text)}'.");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string path)
    {
        var text = Scalar(node, path, "a duration");
        if (text is null)
        {
            return null;
        }

        if (DurationFormat.TryParse(text, out var value))
        {
            return value;
        }

        var hint = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? $" (a number needs a unit: '{text}s')" : "";
        Error(path, node, $"Expected a duration such as 10s, 5m, 1h30m, 500ms or PT10S, found '{PlanLimits.Excerpt(text)}'{hint}.");
        return null;
    }

    public Quantity? Quantity(YamlNode node, string path)
    {
        var text = Scalar(node, path, "a count or a percentage");
        if (text is null)
        {
            return null;
        }

        var trimmed = text.Trim();
        var percent = trimmed.EndsWith('%');
        var digits = percent ? trimmed[..^1] : trimmed;
        if (int.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return new Quantity(value, percent);
        }

        Error(path, node, $"Expected a count such as 3 or a percentage such as \"10%\", found '{PlanLimits.Excerpt(text)}'.");
        return null;
    }

    public TEnum? Enum<TEnum>(YamlNode node, string path)
        where TEnum : struct, Enum
    {
        var text = Scalar(node, path, $"one of {EnumNames.Allowed<TEnum>()}");
        if (text is null)
        {
            return null;
        }

        if (EnumNames.TryParse<TEnum>(text, out var value))
        {
            return value;
        }

        Error(path, node, $"Expected one of {EnumNames.Allowed<TEnum>()}, found '{PlanLimits.Excerpt(text)}'.");
        return null;
    }

    /// <summary>The items of a sequence, each read by <paramref name="item"/>; items it returns null for are left out.</summary>
    public List<T> List<T>(YamlNode node, string path, Func<YamlNode, string, T?> item)
    {
        var items = new List<T>();
        if (node is not YamlSequenceNode sequence)
        {
            Error(path, node, $"Expected a list, found {Describe(node)}.");
            return items;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = PlanPath.Item(path, i);
            var child = sequence.Children[i];
            Remember(itemPath, child);
            var errorsBefore = _errors.Count;
            if (item(child, itemPath) is { } value)
            {
                items.Add(value);
            }
            else if (_errors.Count > errorsBefore)
            {
                // A list that lost an item may look empty or short to the validator; that is not news.
                MarkIncomplete(path);
            }
        }

        return items;
    }

    /// <summary>A mapping of strings to strings, such as a script's environment.</summary>
    public Dictionary<string, string> StringMap(YamlNode node, string path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            Error(path, node, $"Expected a mapping of names to values, found {Describe(node)}.");
            return map;
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } || IsNull(keyNode))
            {
                Error(path, keyNode, $"Expected a name, found {Describe(keyNode)}.");
                continue;
            }

            var valuePath = PlanPath.Field(path, key);
            Remember(valuePath, value);
            map[key] = String(value, valuePath) ?? "";
        }

        return map;
    }

    /// <summary>A scalar's text for a typed field, null (after an error for a mapping or list) when there is none.</summary>
    private string? Scalar(YamlNode node, string path, string expected)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }

        Error(path, node, $"Expected {expected}, found {Describe(node)}.");
        return null;
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "nothing",
        YamlScalarNode scalar => $"'{PlanLimits.Excerpt(scalar.Value)}'",
        _ => "an alias",
    };
}

/// <summary>Thrown by <see cref="NodeReader"/> when a plan has more than <see cref="NodeReader.MaxValues"/> values.</summary>
internal sealed class PlanTooLargeException(Mark at)
    : Exception($"The plan has more than {NodeReader.MaxValues} values (a YAML alias counts each time it is used).")
{
    public Mark At => at;
}

/// <summary>The known fields of one mapping, read through the <see cref="NodeReader"/> that checked them.</summary>
internal sealed class MappingFields(NodeReader reader, string path, Dictionary<string, YamlNode> fields)
{
    public string Path => path;

    public string PathOf(string key) => PlanPath.Field(path, key);

    /// <summary>The field's node, unless it is missing or null.</summary>
    public bool TryGet(string key, out YamlNode node)
    {
        if (fields.TryGetValue(key, out var found) && !NodeReader.IsNull(found))
        {
            node = found;
            return true;
        }

        node = null!;
        return false;
    }

    public bool Has(string key) => TryGet(key, out _);

    public string? String(string key) => TryGet(key, out var n) ? reader.String(n, PathOf(key)) : null;

    public int? Int(string key) => TryGet(key, out var n) ? reader.Int(n, PathOf(key)) : null;

    public double? Double(string key) => TryGet(key, out var n) ? reader.Double(n, PathOf(key)) : null;

    public bool? Bool(string key) => TryGet(key, out var n) ? reader.Bool(n, PathOf(key)) : null;

    public TimeSpan? Duration(string key) => TryGet(key, out var n) ? reader.Duration(n, PathOf(key)) : null;

    public Quantity? Quantity(string key) => TryGet(key, out var n) ? reader.Quantity(n, PathOf(key)) : null;

    public TEnum? Enum<TEnum>(string key)
        where TEnum : struct, Enum =>
        TryGet(key, out var n) ? reader.Enum<TEnum>(n, PathOf(key)) : null;

    public List<string> Strings(string key) =>
        TryGet(key, out var n) ? reader.List(n, PathOf(key), reader.String) : [];

    public List<T> List<T>(string key, Func<YamlNode, string, T?> item) =>
        TryGet(key, out var n) ? reader.List(n, PathOf(key), item) : [];
}
