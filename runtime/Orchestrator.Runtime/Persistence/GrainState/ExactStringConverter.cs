using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Runtime.Persistence.GrainState;

/// <summary>
/// Writes and reads strings exactly, lone UTF-16 surrogates included. System.Text.Json writes a lone surrogate as
/// U+FFFD and refuses to read one back from a <c>\uD800</c> escape; a grain state holding a cut-off agent output or
/// user string must round-trip all the same. Valid strings take the built-in fast paths; only strings with a lone
/// surrogate (written) or an escape (read) take the slow path here.
/// </summary>
public sealed class ExactStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, found {reader.TokenType}.");
        }
        if (!reader.ValueIsEscaped)
        {
            return reader.GetString();
        }
        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
        return Unescape(raw);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!HasLoneSurrogate(value))
        {
            writer.WriteStringValue(value);
            return;
        }
        writer.WriteRawValue(EscapeExactly(value), skipInputValidation: true);
    }

    // Dictionary keys: the built-in paths (a lone surrogate in a key is written as U+FFFD; keys come from the domain).
    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() ?? throw new JsonException("A property name cannot be null.");

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(value);
    }

    internal static bool HasLoneSurrogate(string value)
    {
        var span = value.AsSpan();
        var i = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0)
        {
            return false;
        }
        for (; i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A JSON string literal of <paramref name="value"/>: every surrogate and control character escaped.</summary>
    internal static string EscapeExactly(string value)
    {
        var json = new StringBuilder(value.Length + 16).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                default:
                    if (c < 0x20 || char.IsSurrogate(c))
                    {
                        json.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.Append(c);
                    }
                    break;
            }
        }
        return json.Append('"').ToString();
    }

    /// <summary>The string a JSON string literal's content (UTF-8, escapes included, quotes excluded) stands for.</summary>
    internal static string Unescape(ReadOnlySpan<byte> raw)
    {
        var result = new StringBuilder(raw.Length);
        var start = 0;
        var i = 0;
        while (i < raw.Length)
        {
            if (raw[i] != (byte)'\\')
            {
                i++;
                continue;
            }
            result.Append(Encoding.UTF8.GetString(raw[start..i]));
            var escape = raw[i + 1];
            switch (escape)
            {
                case (byte)'"': result.Append('"'); break;
                case (byte)'\\': result.Append('\\'); break;
                case (byte)'/': result.Append('/'); break;
                case (byte)'b': result.Append('\b'); break;
                case (byte)'f': result.Append('\f'); break;
                case (byte)'n': result.Append('\n'); break;
                case (byte)'r': result.Append('\r'); break;
                case (byte)'t': result.Append('\t'); break;
                case (byte)'u':
                    result.Append((char)int.Parse(Encoding.ASCII.GetString(raw.Slice(i + 2, 4)), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default:
                    throw new JsonException($"Invalid escape '\\{(char)escape}' in a JSON string.");
            }
            i += 2;
            start = i;
        }
        result.Append(Encoding.UTF8.GetString(raw[start..]));
        return result.ToString();
    }
}
