using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Spectre.Console;
using YamlDotNet.Serialization;

namespace Orchestrator.Cli.Output;

/// <summary>
/// Prints what a read returned in the chosen format: JSON (the API's names: camelCase, enums as camelCase strings,
/// nulls left out) and YAML from the same tree, or the command's table.
/// </summary>
public sealed class Renderer(OutputFormat format, IAnsiConsole console, TextWriter output)
{
    /// <summary>The JSON of <c>-o json</c>, as the API writes it.</summary>
    public static readonly JsonSerializerOptions Json = CreateJson();

    private static readonly ISerializer Yaml = new SerializerBuilder().DisableAliases().Build();

    public OutputFormat Format { get; } = format;

    public IAnsiConsole Console { get; } = console;

    public TextWriter Output { get; } = output;

    /// <summary>Prints <paramref name="data"/> as JSON or YAML, or calls <paramref name="table"/> for the table format.</summary>
    public void Write<T>(T data, Action<IAnsiConsole> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        switch (Format)
        {
            case OutputFormat.Json:
                Output.WriteLine(JsonSerializer.Serialize(data, Json));
                break;
            case OutputFormat.Yaml:
                Output.Write(ToYaml(data));
                break;
            default:
                table(Console);
                break;
        }
    }

    /// <summary>YAML of the value's JSON form (so both formats show the same names and values).</summary>
    public static string ToYaml<T>(T data)
    {
        var node = JsonSerializer.SerializeToNode(data, Json);
        return Yaml.Serialize(Plain(node));
    }

    /// <summary>A table with the given column headers and no borders, as <c>kubectl get</c> prints.</summary>
    public static Table NewTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.None);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(column).NoWrap().PadLeft(0).PadRight(3));
        }
        return table;
    }

    /// <summary>Text escaped for Spectre markup ("-" for none).</summary>
    public static string Cell(object? value) => value switch
    {
        null => "-",
        DateTimeOffset t => Markup.Escape(t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)),
        Enum e => Markup.Escape(ApiName(e)),
        bool b => b ? "yes" : "no",
        _ => Markup.Escape(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "-"),
    };

    /// <summary>An enum's name as the API writes it (camelCase).</summary>
    public static string ApiName(Enum value)
    {
        var name = value.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonArray a => a.Select(Plain).ToList(),
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }
}
