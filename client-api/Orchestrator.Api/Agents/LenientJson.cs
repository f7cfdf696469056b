using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Orchestrator.Agent.Protocol;

namespace Orchestrator.Api.Agents;

/// <summary>
/// Reads JSON text the way the agent protocol defines it (<see cref="ProtocolText"/>) instead of failing:
/// System.Text.Json parses a string holding invalid UTF-8 or an escaped lone surrogate (<c>"\ud800"</c>) but throws
/// when asked for its value, and throws when such a property name is compared. These helpers decode the raw bytes
/// instead — invalid UTF-8 as U+FFFD, then NUL and lone surrogates replaced — so a report carrying any bytes is read.
/// </summary>
internal static class LenientJson
{
    /// <summary>The value of a string element as the protocol's text.</summary>
    public static string GetString(JsonElement element)
    {
        string text;
        try
        {
            text = element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            var raw = JsonMarshal.GetRawUtf8Value(element);
            text = Unescape(raw[1..^1]); // the raw value keeps its quotes
        }
        return ProtocolText.Clean(text);
    }

    /// <summary>A property's name as the protocol's text.</summary>
    public static string GetName(JsonProperty property)
    {
        string name;
        try
        {
            name = property.Name;
        }
        catch (InvalidOperationException)
        {
            name = Unescape(JsonMarshal.GetRawUtf8PropertyName(property));
        }
        return ProtocolText.Clean(name);
    }

    /// <summary>Decodes a JSON string's content (escapes already checked by the parser), keeping lone surrogates.</summary>
    private static string Unescape(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length);
        while (!raw.IsEmpty)
        {
            var backslash = raw.IndexOf((byte)'\\');
            if (backslash < 0)
            {
                text.Append(Encoding.UTF8.GetString(raw));
                break;
            }
            text.Append(Encoding.UTF8.GetString(raw[..backslash]));
            var escape = raw[backslash + 1];
            if (escape == (byte)'u')
            {
                Utf8Parser.TryParse(raw.Slice(backslash + 2, 4), out ushort unit, out _, 'X');
                text.Append((char)unit);
                raw = raw[(backslash + 6)..];
                continue;
            }
            text.Append(escape switch
            {
                (byte)'b' => '\b',
                (byte)'f' => '\f',
                (byte)'n' => '\n',
                (byte)'r' => '\r',
                (byte)'t' => '\t',
                _ => (char)escape, // \" \\ \/
            });
            raw = raw[(backslash + 2)..];
        }
        return text.ToString();
    }
}
