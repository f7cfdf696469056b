using System.Text.Json;

namespace Orchestrator.Api.Common;

/// <summary>
/// Reads a JSON object field by field, collecting every error with its JSON path (<c>parameters.greeting: expected a
/// string, found a number</c>). A field given as <c>null</c> counts as not given. Each read names a field the object
/// may have; <see cref="RefuseUnknown"/> then refuses every other field with the name it probably meant.
/// </summary>
public sealed class JsonFields
{
    private readonly JsonElement _object;
    private readonly string _path;
    private readonly List<string> _known = [];

    private JsonFields(JsonElement element, string path, List<FieldError> errors)
    {
        _object = element;
        _path = path;
        Errors = errors;
    }

    /// <summary>The errors of this object and every object read through it.</summary>
    public List<FieldError> Errors { get; }

    /// <summary>The fields of the body's top-level object (<paramref name="root"/> null: no body, so no fields).</summary>
    public static JsonFields Of(JsonElement? root, List<FieldError>? errors = null) =>
        new(root ?? EmptyObject, "", errors ?? []);

    public bool Has(string name)
    {
        Remember(name);
        return Get(name) is not null;
    }

    /// <summary>A string of at most <paramref name="maxLength"/> characters, or null when not given (an error when <paramref name="required"/>).</summary>
    public string? String(string name, int maxLength, bool required = false)
    {
        Remember(name);
        if (Get(name) is not { } value)
        {
            if (required)
            {
                Add(name, "Required.");
            }
            return null;
        }
        return StringValue(value, Path(_path, name), maxLength, Errors);
    }

    /// <summary>The raw value of a field for a reader with its own rules, or null when not given (or null).</summary>
    public JsonElement? Raw(string name)
    {
        Remember(name);
        return Get(name);
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, or null when not given.</summary>
    public long? Whole(string name, long min, long max)
    {
        Remember(name);
        if (Get(name) is not { } value)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number)
        {
            Add(name, $"Expected a whole number from {min} to {max}, found {Describe(value)}.");
            return null;
        }
        if (!value.TryGetInt64(out var n) || n < min || n > max)
        {
            Add(name, $"{Quote.Of(value.GetRawText())} is not a whole number from {min} to {max}.");
            return null;
        }
        return n;
    }

    public int? Int(string name, int min, int max) => (int?)Whole(name, min, max);

    public bool? Bool(string name)
    {
        Remember(name);
        if (Get(name) is not { } value)
        {
            return null;
        }
        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Add(name, $"Expected true or false, found {Describe(value)}.");
            return null;
        }
        return value.GetBoolean();
    }

    /// <summary>
    /// A time in RFC 3339 with its offset (<c>2030-01-01T09:00:00Z</c>, <c>…+08:00</c>), or null when not given; a time
    /// without an offset, or one a date cannot hold (before year 1 or after 9999 in UTC), is an error.
    /// </summary>
    public DateTimeOffset? Time(string name)
    {
        var text = String(name, 64);
        if (text is null || !_object.TryGetProperty(name, out var value))
        {
            return null;
        }
        var hasOffset = text.Length > 19 && (text[^1] is 'Z' or 'z' || (text[^6] is '+' or '-' && text[^3] == ':'));
        if (!hasOffset || !value.TryGetDateTimeOffset(out var time))
        {
            Add(name, $"{Quote.Of(text)} is not an RFC 3339 time with an offset from 0001 to 9999 (UTC), such as 2030-01-01T09:00:00Z.");
            return null;
        }
        return time;
    }

    /// <summary>An object's fields, or null when not given (an error when it is not an object).</summary>
    public JsonFields? Object(string name)
    {
        Remember(name);
        if (Get(name) is not { } value)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            Add(name, $"Expected an object, found {Describe(value)}.");
            return null;
        }
        return new JsonFields(value, Path(_path, name), Errors);
    }

    /// <summary>
    /// An object of names to strings (parameters): at most <paramref name="maxEntries"/> entries, names matching
    /// <paramref name="nameRule"/> (described by <paramref name="nameText"/>), values at most <paramref name="maxValueLength"/> characters.
    /// </summary>
    public Dictionary<string, string>? StringMap(string name, int maxEntries, Func<string, bool> nameRule, string nameText, int maxValueLength)
    {
        var map = Object(name);
        if (map is null)
        {
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var property in map._object.EnumerateObject())
        {
            if (++count > maxEntries)
            {
                Add(name, $"More than {maxEntries} entries.");
                return null;
            }
            var at = Path(map._path, property.Name);
            if (!nameRule(property.Name))
            {
                Errors.Add(new FieldError(at, $"{Quote.Of(property.Name)} is not {nameText}."));
                continue;
            }
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                Errors.Add(new FieldError(at, "Expected a string, found null; leave the entry out to use the default."));
                continue;
            }
            if (StringValue(property.Value, at, maxValueLength, Errors) is { } text)
            {
                result[property.Name] = text;
            }
        }
        return result;
    }

    /// <summary>Adds an error for every field of this object that no read asked for.</summary>
    public void RefuseUnknown()
    {
        foreach (var property in _object.EnumerateObject())
        {
            if (!_known.Contains(property.Name))
            {
                Errors.Add(new FieldError(Path(_path, property.Name), $"Unknown field {Quote.Of(property.Name)}{Suggestions.Hint(property.Name, _known)}"));
            }
        }
    }

    /// <summary>Adds an error at a field of this object.</summary>
    public void Add(string name, string message) => Errors.Add(new FieldError(Path(_path, name), message));

    /// <summary>The path of a field: <c>a.b</c>; a name that is not a plain word is quoted: <c>a['x y']</c>.</summary>
    public static string Path(string parent, string name)
    {
        var shown = name.Length is > 0 and <= Quote.MaxShown && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '$')
            ? name
            : null;
        return shown is null
            ? $"{parent}[{Quote.Of(name)}]"
            : parent.Length == 0 ? shown : $"{parent}.{shown}";
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string? StringValue(JsonElement value, string path, int maxLength, List<FieldError> errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError(path, $"Expected a string, found {Describe(value)}."));
            return null;
        }
        var text = value.GetString()!;
        if (text.Length > maxLength)
        {
            errors.Add(new FieldError(path, $"Longer than {maxLength} characters ({text.Length})."));
            return null;
        }
        return text;
    }

    private JsonElement? Get(string name) =>
        _object.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private void Remember(string name)
    {
        if (!_known.Contains(name))
        {
            _known.Add(name);
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;
}
