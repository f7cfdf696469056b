using System.Globalization;
using Orchestrator.Api.Common;

namespace Orchestrator.Api.Schedules;

/// <summary>
/// Path segments and query parameters of the schedules API, read as strings and checked here, so that a bad value
/// is a 400 naming the parameter rather than ASP.NET's empty binding failure. Unknown query parameters are ignored.
/// </summary>
public static class ScheduleQuery
{
    /// <summary>The longest schedule name (a DNS label's length).</summary>
    public const int MaxNameLength = 63;

    /// <summary>The earliest preview start accepted.</summary>
    public static readonly DateTimeOffset MinFrom = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The latest preview start accepted (fire times stop at the end of 9999-12-29).</summary>
    public static readonly DateTimeOffset MaxFrom = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The name of a new schedule: 1 to <see cref="MaxNameLength"/> ASCII letters, digits, '-', '_' or '.', starting with a
    /// letter or digit (so never '.', '..' or a hidden-file-like name).
    /// </summary>
    public static FieldError? CheckNewName(string name)
    {
        if (name.Length is 0 or > MaxNameLength
            || !char.IsAsciiLetterOrDigit(name[0])
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return new FieldError("name",
                $"'{Shown(name)}' is not a valid schedule name: 1 to {MaxNameLength} letters, digits, '-', '_' or '.', starting with a letter or digit.");
        }
        return null;
    }

    /// <summary>
    /// A plan id or schedule name in the path of a request for an existing schedule: the id alphabet every stored
    /// schedule was saved with (1 to 128 letters, digits, '-', '_' or '.'), so that nothing else reaches the store.
    /// </summary>
    public static FieldError? CheckId(string field, string id) =>
        id.Length is 0 or > 128 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? new FieldError(field, $"'{Shown(id)}' is not a valid id: 1 to 128 letters, digits, '-', '_' or '.'.")
            : null;

    /// <summary>An optional whole-number parameter from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static (int? Value, FieldError? Error) Int(IQueryCollection query, string name, int min, int max)
    {
        var (text, error) = Text(query, name);
        if (text is null || error is not null)
        {
            return (null, error);
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? (value, null)
            : (null, new FieldError(name, $"'{Shown(text)}' is not a whole number from {min} to {max}."));
    }

    /// <summary>An optional time parameter (ISO 8601, UTC when it has no offset) from <see cref="MinFrom"/> to <see cref="MaxFrom"/>.</summary>
    public static (DateTimeOffset? Value, FieldError? Error) Time(IQueryCollection query, string name)
    {
        var (text, error) = Text(query, name);
        return text is null || error is not null ? (null, error) : ParseTime(name, text);
    }

    /// <summary>A time as ISO 8601 text (UTC when it has no offset), from <see cref="MinFrom"/> to <see cref="MaxFrom"/>.</summary>
    public static (DateTimeOffset? Value, FieldError? Error) ParseTime(string name, string text)
    {
        // ISO 8601 only (a date first, yyyy-MM-dd): .NET's parser would also take a bare time as today's.
        var isoDate = text.Length is >= 10 and <= 64 && text[..4].All(char.IsAsciiDigit) && text[4] == '-'
            && text[5..7].All(char.IsAsciiDigit) && text[7] == '-' && text[8..10].All(char.IsAsciiDigit);
        if (!isoDate || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            return (null, new FieldError(name, $"'{Shown(text)}' is not a time; give an ISO 8601 time such as 2030-01-07T09:00:00Z."));
        }
        if (value < MinFrom || value > MaxFrom)
        {
            return (null, new FieldError(name, $"Must be from {MinFrom:yyyy-MM-dd'T'HH:mm:ss'Z'} to {MaxFrom:yyyy-MM-dd'T'HH:mm:ss'Z'}."));
        }
        return (value, null);
    }

    /// <summary>An optional text parameter: the value, or an error when it is given more than once.</summary>
    public static (string? Value, FieldError? Error) Text(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return (null, null);
        }
        return values.Count > 1
            ? (null, new FieldError(name, "Given more than once; give it once."))
            : (values[0] ?? "", null);
    }

    /// <summary>A value as it can be shown in a message: control characters escaped, cut after 64 characters.</summary>
    internal static string Shown(string value)
    {
        var cut = value.Length > 64 ? value[..64] + "…" : value;
        return string.Concat(cut.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
    }
}
