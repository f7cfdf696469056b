using System.Globalization;
using System.Text.Json;
using Orchestrator.Api.Common;

namespace Orchestrator.Api.Agents;

/// <summary>
/// One JSON object of an agent request, read field by field: each getter checks the field's type and bounds and
/// records a <see cref="FieldError"/> naming it by its JSON path (<c>events[2].percent</c>) instead of throwing.
/// Unknown fields are ignored (an agent newer than the server may send more); <c>null</c> counts as absent.
/// </summary>
internal sealed class JsonFields
{
    private readonly Dictionary<string, JsonElement> fields = new(StringComparer.Ordinal);
    private readonly string path;
    private readonly List<FieldError> errors;

    private JsonFields(JsonElement element, string path, List<FieldError> errors)
    {
        this.path = path;
        this.errors = errors;
        foreach (var property in element.EnumerateObject())
        {
            fields[LenientJson.GetName(property)] = property.Value; // the last of repeated names wins, as in System.Text.Json
        }
    }

    /// <summary>The errors recorded so far (shared with the caller).</summary>
    public List<FieldError> Errors => errors;

    /// <summary>The object's fields, or null (and an error at <paramref name="path"/>) when it is not an object.</summary>
    public static JsonFields? Of(JsonElement element, string path, List<FieldError> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError(path.Length == 0 ? "body" : path, $"must be a JSON object, not {Kind(element)}."));
            return null;
        }
        return new JsonFields(element, path, errors);
    }

    public string Path(string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>
    /// The path of a map entry whose key a client chose (a label, an output): as the REST API writes paths, the key
    /// quoted, escaped and cut when it is not a plain word (<c>labels['has space']</c>), so an error never carries a
    /// megabyte or a control character back.
    /// </summary>
    public string KeyPath(string name, string key) => Common.JsonFields.Path(Path(name), key);

    public void Error(string name, string message) => errors.Add(new FieldError(Path(name), message));

    public string? String(string name, bool required, int maxLength)
    {
        if (!TryGet(name, required, JsonValueKind.String, "a string", out var element))
        {
            return null;
        }
        var text = LenientJson.GetString(element);
        if (text.Length > maxLength)
        {
            Error(name, $"is {text.Length} characters long; at most {maxLength} are allowed.");
            return null;
        }
        return text;
    }

    public long? Integer(string name, bool required, long min, long max)
    {
        if (!TryGet(name, required, JsonValueKind.Number, "a number", out var element))
        {
            return null;
        }
        if (!element.TryGetInt64(out var value) || value < min || value > max)
        {
            Error(name, string.Create(CultureInfo.InvariantCulture, $"is {Shown(element.GetRawText())}; it must be a whole number from {min} to {max}."));
            return null;
        }
        return value;
    }

    public bool? Bool(string name, bool required)
    {
        if (!fields.TryGetValue(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Error(name, "is required.");
            }
            return null;
        }
        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error(name, $"must be true or false, not {Kind(element)}.");
            return null;
        }
        return element.GetBoolean();
    }

    /// <summary>
    /// An ISO 8601 time. One without an offset (<c>2026-11-21T10:00:00</c>) is read as UTC, never as the server's
    /// local time (which would make the same report mean different instants on different servers); the agent always
    /// sends an offset. One more than <see cref="Agent.Protocol.ProtocolLimits.MaxClockAhead"/> ahead of
    /// <paramref name="now"/> or more than <see cref="Agent.Protocol.ProtocolLimits.MaxReportAge"/> behind comes from a
    /// host whose clock is off: it is replaced by <paramref name="now"/> (the time the server received it), never
    /// refused, because refusing a host's reports for its clock would leave its targets unable to end.
    /// </summary>
    public DateTimeOffset? Time(string name, bool required, DateTimeOffset now)
    {
        if (!TryGet(name, required, JsonValueKind.String, "a string", out var element))
        {
            return null;
        }
        if (!element.TryGetDateTimeOffset(out var value))
        {
            Error(name, "is not an ISO 8601 date and time such as 2026-11-21T10:00:00Z.");
            return null;
        }
        if (element.TryGetDateTime(out var local) && local.Kind == DateTimeKind.Unspecified)
        {
            value = new DateTimeOffset(local, TimeSpan.Zero);
        }
        var ahead = Agent.Protocol.ProtocolLimits.MaxClockAhead;
        var age = Agent.Protocol.ProtocolLimits.MaxReportAge;
        return value > now + ahead || value < now - age ? now : value;
    }

    /// <summary>An array of at most <paramref name="maxCount"/> items.</summary>
    public JsonElement? Array(string name, bool required, int maxCount)
    {
        if (!TryGet(name, required, JsonValueKind.Array, "an array", out var element))
        {
            return null;
        }
        var count = element.GetArrayLength();
        if (count > maxCount)
        {
            Error(name, string.Create(CultureInfo.InvariantCulture, $"has {count} items; at most {maxCount} are allowed."));
            return null;
        }
        return element;
    }

    /// <summary>An array of strings, each checked by <paramref name="check"/> (which returns why one is bad).</summary>
    public List<string>? StringArray(string name, bool required, int maxCount, int minCount, Func<string, string?> check)
    {
        if (Array(name, required, maxCount) is not { } array)
        {
            return null;
        }
        var items = new List<string>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{Path(name)}[{index++}]");
            if (item.ValueKind != JsonValueKind.String)
            {
                errors.Add(new FieldError(itemPath, $"must be a string, not {Kind(item)}."));
                return null;
            }
            var text = LenientJson.GetString(item);
            if (check(text) is { } problem)
            {
                errors.Add(new FieldError(itemPath, problem));
                return null;
            }
            items.Add(text);
        }
        if (items.Count < minCount)
        {
            Error(name, string.Create(CultureInfo.InvariantCulture, $"needs at least {minCount} item(s)."));
            return null;
        }
        return items;
    }

    /// <summary>An object of string values (labels, outputs), at most <paramref name="maxEntries"/> of them.</summary>
    public Dictionary<string, string>? StringMap(string name, int maxEntries)
    {
        if (!TryGet(name, required: false, JsonValueKind.Object, "an object", out var element))
        {
            return null;
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var key = LenientJson.GetName(property);
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new FieldError(KeyPath(name, key), $"must be a string, not {Kind(property.Value)}."));
                return null;
            }
            map[key] = LenientJson.GetString(property.Value);
            if (map.Count > maxEntries)
            {
                Error(name, string.Create(CultureInfo.InvariantCulture, $"has more than {maxEntries} entries."));
                return null;
            }
        }
        return map;
    }

    private bool TryGet(string name, bool required, JsonValueKind kind, string what, out JsonElement element)
    {
        if (!fields.TryGetValue(name, out element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Error(name, "is required.");
            }
            return false;
        }
        if (element.ValueKind != kind)
        {
            Error(name, $"must be {what}, not {Kind(element)}.");
            return false;
        }
        return true;
    }

    /// <summary>Raw text a client sent, as an error shows it: at most 64 characters (a number of any length is still one).</summary>
    private static string Shown(string raw) => raw.Length <= Quote.MaxShown ? raw : Quote.Of(raw);

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
