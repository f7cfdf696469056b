using System.Globalization;
using System.Text;

namespace Orchestrator.Engine.Tests.Observability;

/// <summary>One sample line: metric name, labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict parser of the Prometheus text exposition format (0.0.4), enough to check a scrape: <c># HELP</c> and
/// <c># TYPE</c> lines, samples <c>name{label="value",…} value [timestamp]</c> with the format's escapes in label values
/// (<c>\\</c>, <c>\"</c>, <c>\n</c>) and values as Go floats (<c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>). A line that breaks
/// the format, a sample of a family with no <c># TYPE</c> before it, and a histogram whose buckets are not cumulative
/// or whose <c>+Inf</c> bucket is not its count are <see cref="FormatException"/>s naming the line.
/// </summary>
public sealed class PrometheusText
{
    private static readonly string[] Suffixes = ["_bucket", "_sum", "_count", "_total", "_created"];

    private PrometheusText(Dictionary<string, string> types, List<PrometheusSample> samples)
    {
        Types = types;
        Samples = samples;
    }

    /// <summary>The type of each family (<c>counter</c>, <c>gauge</c>, <c>histogram</c>, <c>summary</c>, <c>untyped</c>).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>The samples named <paramref name="name"/> whose labels include <paramref name="labels"/> (<c>"status=succeeded"</c>).</summary>
    public IEnumerable<PrometheusSample> Find(string name, params string[] labels) => Samples.Where(s => s.Name == name
        && labels.All(l => l.Split('=', 2) is [var key, var value] && s.Labels.TryGetValue(key, out var actual) && actual == value));

    /// <summary>The sum of the matching samples' values (0 when none match).</summary>
    public double Sum(string name, params string[] labels) => Find(name, labels).Sum(s => s.Value);

    public bool Has(string name) => Samples.Any(s => s.Name == name);

    public static PrometheusText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<PrometheusSample>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                if (line.StartsWith('#'))
                {
                    var parts = line.Split(' ', 4);
                    if (parts.Length >= 3 && parts[1] == "TYPE")
                    {
                        if (parts.Length != 4 || parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped") || !IsName(parts[2]))
                        {
                            throw new FormatException("a TYPE line is '# TYPE name counter|gauge|histogram|summary|untyped'");
                        }
                        if (!types.TryAdd(parts[2], parts[3]))
                        {
                            throw new FormatException($"a second TYPE for {parts[2]}");
                        }
                    }
                    else if (parts.Length >= 3 && parts[1] == "HELP" && !IsName(parts[2]))
                    {
                        throw new FormatException("a HELP line is '# HELP name text'");
                    }
                    continue;
                }
                var sample = Sample(line);
                if (Family(sample.Name, types) is null)
                {
                    throw new FormatException($"{sample.Name} has no # TYPE before it");
                }
                samples.Add(sample);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"line {i + 1}: {ex.Message}: {line}", ex);
            }
        }
        CheckHistograms(types, samples);
        return new PrometheusText(types, samples);
    }

    private static string? Family(string name, Dictionary<string, string> types)
    {
        if (types.ContainsKey(name))
        {
            return name;
        }
        foreach (var suffix in Suffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.ContainsKey(name[..^suffix.Length]))
            {
                return name[..^suffix.Length];
            }
        }
        return null;
    }

    private static PrometheusSample Sample(string line)
    {
        var at = 0;
        while (at < line.Length && (char.IsAsciiLetterOrDigit(line[at]) || line[at] is '_' or ':'))
        {
            at++;
        }
        var name = line[..at];
        if (!IsName(name))
        {
            throw new FormatException("a sample starts with a metric name");
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (at < line.Length && line[at] == '{')
        {
            at++;
            while (line[at] != '}')
            {
                var start = at;
                while (char.IsAsciiLetterOrDigit(line[at]) || line[at] == '_')
                {
                    at++;
                }
                var label = line[start..at];
                if (label.Length == 0 || char.IsAsciiDigit(label[0]) || line[at] != '=' || line[at + 1] != '"')
                {
                    throw new FormatException("a label is name=\"value\"");
                }
                at += 2;
                var value = new StringBuilder();
                for (; line[at] != '"'; at++)
                {
                    if (line[at] == '\\')
                    {
                        at++;
                        value.Append(line[at] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"'\\{line[at]}' is not an escape of a label value"),
                        });
                    }
                    else
                    {
                        value.Append(line[at]);
                    }
                }
                at++;
                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"label {label} twice");
                }
                if (line[at] == ',')
                {
                    at++;
                }
                else if (line[at] != '}')
                {
                    throw new FormatException("labels are separated by ','");
                }
            }
            at++;
        }
        var rest = line[at..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (line.Length <= at || line[at] != ' ' || rest.Length is < 1 or > 2 || (rest.Length == 2 && !long.TryParse(rest[1], CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException("a sample is 'name{labels} value [timestamp]'");
        }
        return new PrometheusSample(name, labels, Value(rest[0]));
    }

    private static double Value(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException($"'{text}' is not a value"),
    };

    private static bool IsName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    /// <summary>Per histogram series (its labels but <c>le</c>): buckets cumulative, the <c>+Inf</c> bucket equal to <c>_count</c>.</summary>
    private static void CheckHistograms(Dictionary<string, string> types, List<PrometheusSample> samples)
    {
        foreach (var family in types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            foreach (var series in samples.Where(s => s.Name == family + "_bucket").GroupBy(s => Key(s.Labels)))
            {
                var buckets = series.OrderBy(s => Value(s.Labels["le"])).ToList();
                for (var i = 1; i < buckets.Count; i++)
                {
                    if (buckets[i].Value < buckets[i - 1].Value)
                    {
                        throw new FormatException($"{family}{{{series.Key}}}: bucket le={buckets[i].Labels["le"]} is below the one before it");
                    }
                }
                var count = samples.SingleOrDefault(s => s.Name == family + "_count" && Key(s.Labels) == series.Key)
                    ?? throw new FormatException($"{family}{{{series.Key}}} has buckets and no _count");
                if (buckets[^1].Labels["le"] != "+Inf" || buckets[^1].Value != count.Value)
                {
                    throw new FormatException($"{family}{{{series.Key}}}: the +Inf bucket is not its _count ({count.Value})");
                }
            }
        }
    }

    private static string Key(IReadOnlyDictionary<string, string> labels) =>
        string.Join(",", labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}
