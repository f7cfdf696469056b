using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Plans.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Orchestrator.Plans.Serialization;

/// <summary>
/// Writes a plan in the documented format (<c>docs/plan-format.md</c>): camelCase fields and enum values, durations
/// as <c>1h30m</c>, fields at their defaults left out. <see cref="Parsing.PlanParser"/> reads the output back into an
/// equal plan.
/// </summary>
public static partial class PlanSerializer
{
    public static string ToJson(PlanDefinition plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            // Scripts are full of quotes, '<', '&' and '+'; escaping them for HTML would make the file unreadable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            WriteJson(writer, PlanDocument.From(plan));
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static string ToYaml(PlanDefinition plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringWriter();
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        WriteYaml(emitter, PlanDocument.From(plan));
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void WriteJson(Utf8JsonWriter writer, DocumentNode node)
    {
        switch (node)
        {
            case MapNode map:
                writer.WriteStartObject();
                foreach (var (key, value) in map.Fields)
                {
                    writer.WritePropertyName(key);
                    WriteJson(writer, value);
                }

                writer.WriteEndObject();
                break;
            case ListNode list:
                writer.WriteStartArray();
                foreach (var item in list.Items)
                {
                    WriteJson(writer, item);
                }

                writer.WriteEndArray();
                break;
            case ScalarNode { Type: ScalarType.Number or ScalarType.Boolean or ScalarType.Null } scalar:
                writer.WriteRawValue(scalar.Text);
                break;
            case ScalarNode scalar:
                writer.WriteStringValue(scalar.Text);
                break;
        }
    }

    private static void WriteYaml(IEmitter emitter, DocumentNode node)
    {
        switch (node)
        {
            case MapNode map:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
                foreach (var (key, value) in map.Fields)
                {
                    emitter.Emit(new Scalar(key));
                    WriteYaml(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case ListNode list:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, IsShortScalarList(list) ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in list.Items)
                {
                    WriteYaml(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case ScalarNode scalar:
                emitter.Emit(new Scalar(null, null, scalar.Text, YamlStyle(scalar), isPlainImplicit: true, isQuotedImplicit: true));
                break;
        }
    }

    /// <summary>Host names, approvers and exit codes read better on one line: <c>hosts: [web-1, web-2]</c>.</summary>
    private static bool IsShortScalarList(ListNode list) =>
        list.Items.All(item => item is ScalarNode { Text.Length: > 0 } scalar && !scalar.Text.Contains('\n'))
        && list.Items.Sum(item => ((ScalarNode)item).Text.Length + 2) <= 60;

    /// <summary>
    /// Scripts as literal blocks; strings that YAML (1.1 or 1.2) would read as null, a boolean or a number quoted, so
    /// that other tools see the same string we do. Everything else is left to the emitter, which quotes when it must.
    /// </summary>
    private static ScalarStyle YamlStyle(ScalarNode scalar) => scalar.Type switch
    {
        ScalarType.Number or ScalarType.Boolean or ScalarType.Null => ScalarStyle.Plain,
        _ when scalar.Text.Contains('\n') => ScalarStyle.Literal,
        _ when scalar.Text.Length == 0 || LooksTyped().IsMatch(scalar.Text) => ScalarStyle.DoubleQuoted,
        _ => ScalarStyle.Any,
    };

    [GeneratedRegex(
        @"^(~|null|true|false|yes|no|on|off|y|n|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-f]+|0o[0-7]+|[-+]?\.inf|\.nan|\d+(:\d+)+)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LooksTyped();
}
