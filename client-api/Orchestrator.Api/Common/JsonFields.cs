using System.Text.Json;

namespace Orchestrator.Api.Common;

/// <summary>
/// Reads a JSON object field by field, collecting every error with its JSON path (<c>parameters.greeting: expected a
/// string, found a number</c>). A field given as <c>null</c> counts as not given. Each read names a field the object
/// may have; <see cref="RefuseUnknown"/> then refuses every other field with the name it probably meant. A field may
/// be known under two names (<see cref="Alias"/>: <c>cron</c> or <c>schedule</c>); errors name it as the body gave it.
/// Nothing a body holds is echoed at length: names in paths and values in messages are cut (<see cref="Quote"/>), and
/// a map or a list of unknown fields past its bound is one error, not one per entry.
/// </summary>
public sealed class JsonFields
{
    private readonly JsonElement _object;
    private readonly string _path;
    private readonly List<string> _known = [];
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);

    /// <summary>How many unknown fields of one object are named; the rest are counted in one more error.</summary>
    public const int MaxUnknownNamed = 10;

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

    /// <summary>
    /// Declares <paramref name="alias"/> another name of the field <paramref name="name"/> (a Kubernetes name for the
    /// same setting, say): reads by <paramref name="name"/> then find either, and errors about the field name the one
    /// the body gave. Giving both is an error naming both.
    /// </summary>
    public void Alias(string name, string alias)
    {
        _aliases[name] = alias;
        Remember(name);
        Remember(alias);
        if (_object.TryGetProperty(name, out _) && _object.TryGetProperty(alias, out _))
        {
            Errors.Add(new FieldError(Path(_path, alias), $"'{alias}' and '{name}' are two names of one field; give one."));
        }
    }

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
        return StringValue(value, Path(_path, Given(name)), maxLength, Errors);
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
    public DateTimeOffset? Time(string name) => Time(name, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);

    /// <summary>A time as <see cref="Time(string)"/> reads it, from <paramref name="min"/> to <paramref name="max"/> (an error outside).</summary>
    public DateTimeOffset? Time(string name, DateTimeOffset min, DateTimeOffset max)
    {
        var text = String(name, 64);
        if (text is null)
        {
            return null;
        }
        if (CheckTime(text, min, max, out var time) is { } why)
        {
            Add(name, why);
            return null;
        }
        return time;
    }

    /// <summary>
    /// Null when <paramref name="text"/> is an RFC 3339 time with its offset from <paramref name="min"/> to
    /// <paramref name="max"/>; else why not. The one time rule of bodies and query strings.
    /// </summary>
    public static string? CheckTime(string text, DateTimeOffset min, DateTimeOffset max, out DateTimeOffset time)
    {
        time = default;
        var hasOffset = text.Length is > 19 and <= 64 && (text[^1] is 'Z' or 'z' || (text[^6] is '+' or '-' && text[^3] == ':'));
        if (!hasOffset || !JsonSerializer.SerializeToElement(text).TryGetDateTimeOffset(out time))
        {
            return $"{Quote.Of(text)} is not an RFC 3339 time with an offset from 0001 to 9999 (UTC), such as 2030-01-01T09:00:00Z.";
        }
        if (time < min || time > max)
        {
            return $"{Quote.Of(text)} is not a time from {Shown(min)} to {Shown(max)}.";
        }
        return null;
    }

    /// <summary>
    /// One of <typeparamref name="TEnum"/>'s names in any letter case (<c>either</c>, <c>Both</c>), or null when not
    /// given; numbers and comma lists are not names. Errors list the names as the API writes them (camelCase).
    /// </summary>
    public TEnum? Enum<TEnum>(string name) where TEnum : struct, System.Enum
    {
        Remember(name);
        if (Get(name) is not { } value)
        {
            return null;
        }
        var names = string.Join(", ", System.Enum.GetNames<TEnum>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
        if (value.ValueKind != JsonValueKind.String)
        {
            Add(name, $"Expected one of {names}, found {Describe(value)}.");
            return null;
        }
        var text = value.GetString()!;
        foreach (var candidate in System.Enum.GetValues<TEnum>())
        {
            if (string.Equals(candidate.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }
        Add(name, $"{Quote.Of(text)} is not one of {names}.");
        return null;
    }

    /// <summary>
    /// A duration from <paramref name="min"/> to <paramref name="max"/> as the plan format writes one (<c>90s</c>,
    /// <c>5m</c>, <c>1h30m</c>, <c>2d</c>, ISO 8601 <c>PT90S</c>), or null when not given. With
    /// <paramref name="wholeSecondsAsNumber"/> a JSON number is read as whole seconds too (Kubernetes'
    /// <c>startingDeadlineSeconds</c>).
    /// </summary>
    public TimeSpan? Duration(string name, TimeSpan min, TimeSpan max, bool wholeSecondsAsNumber = false)
    {
        Remember(name);
        if (Get(name) is not { } value)
        {
            return null;
        }
        var rule = wholeSecondsAsNumber
            ? $"a duration from {Shown(min)} to {Shown(max)}: whole seconds as a number ({(long)Math.Ceiling(min.TotalSeconds)} to {(long)max.TotalSeconds}), or a string such as 90s, 5m or 1h30m"
            : $"a duration from {Shown(min)} to {Shown(max)}, such as 90s, 5m or 1h30m";
        TimeSpan? duration;
        string shown;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                shown = value.GetString()!;
                duration = Orchestrator.Plans.Parsing.DurationFormat.TryParse(shown, out var parsed) ? parsed : null;
                break;
            case JsonValueKind.Number when wholeSecondsAsNumber:
                shown = value.GetRawText();
                duration = value.TryGetInt64(out var seconds) && seconds >= 0 && seconds <= (long)max.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
                break;
            default:
                Add(name, $"Expected {rule}; found {Describe(value)}.");
                return null;
        }
        if (duration is not { } ok || ok < min || ok > max)
        {
            Add(name, $"{Quote.Of(shown)} is not {rule}.");
            return null;
        }
        return ok;
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
        return new JsonFields(value, Path(_path, Given(name)), Errors);
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
        // Counted first: a map past its bound is one error, whatever its entries hold.
        var count = map._object.EnumerateObject().Count();
        if (count > maxEntries)
        {
            Add(name, $"{count} entries; at most {maxEntries}.");
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map._object.EnumerateObject())
        {
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

    /// <summary>
    /// A request's parameters (a run's, a schedule's): names to strings, at most <see cref="ApiLimits.MaxParameters"/>,
    /// each name a <see cref="IsParameterName">parameter name</see>, each value at most
    /// <see cref="ApiLimits.MaxParameterValueLength"/> characters. Null when not given.
    /// </summary>
    public Dictionary<string, string>? Parameters(string name) =>
        StringMap(name, ApiLimits.MaxParameters, IsParameterName,
            $"a parameter name (a letter, then letters, digits or '_', at most {ApiLimits.MaxParameterNameLength})", ApiLimits.MaxParameterValueLength);

    /// <summary>A letter, then letters, digits or '_'; at most <see cref="ApiLimits.MaxParameterNameLength"/> characters.</summary>
    public static bool IsParameterName(string name) =>
        name.Length is > 0 and <= ApiLimits.MaxParameterNameLength && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>
    /// Adds an error for every field of this object that no read asked for: the first <see cref="MaxUnknownNamed"/>
    /// by name with the name probably meant, the rest counted in one error at the object.
    /// </summary>
    public void RefuseUnknown()
    {
        var unknown = 0;
        foreach (var property in _object.EnumerateObject())
        {
            if (!_known.Contains(property.Name) && ++unknown <= MaxUnknownNamed)
            {
                Errors.Add(new FieldError(Path(_path, property.Name), $"Unknown field {Quote.Of(property.Name)}{Suggestions.Hint(property.Name, _known)}"));
            }
        }
        if (unknown > MaxUnknownNamed)
        {
            Errors.Add(new FieldError(_path.Length == 0 ? "body" : _path, $"{unknown - MaxUnknownNamed} more unknown fields (not named here)."));
        }
    }

    /// <summary>Adds an error at a field of this object (named as the body gave it, when it has an alias).</summary>
    public void Add(string name, string message) => Errors.Add(new FieldError(Path(_path, Given(name)), message));

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
        _object.TryGetProperty(Given(name), out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>The name the body gives a field under: its alias when only the alias is there, else the name itself.</summary>
    private string Given(string name) =>
        _aliases.TryGetValue(name, out var alias) && !_object.TryGetProperty(name, out _) && _object.TryGetProperty(alias, out _) ? alias : name;

    /// <summary>A bound as messages show it: <c>366d</c>, <c>1s</c>, <c>1970-01-01T00:00:00Z</c>.</summary>
    private static string Shown(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerDay == 0 && value > TimeSpan.Zero
            ? $"{value.Ticks / TimeSpan.TicksPerDay}d"
            : Orchestrator.Plans.Parsing.DurationFormat.Format(value);

    private static string Shown(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private void Remember(string name)
    {
        if (!_known.Contains(name))
        {
            _known.Add(name);
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;
}
