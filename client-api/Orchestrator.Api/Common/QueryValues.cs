using System.Globalization;

namespace Orchestrator.Api.Common;

/// <summary>
/// Reads an endpoint's query string from its text, so that every bad value is a 400 naming the parameter and the
/// rule: numbers are digits only and within their bounds (out of range is refused, not clamped; overflow is out of
/// range), a parameter given twice is refused, and so is one the endpoint does not take (with the name it probably
/// meant). Control characters never get this far (<see cref="ProblemHandling"/> refuses them for every request).
/// </summary>
public sealed class QueryValues(HttpContext http)
{
    private readonly IQueryCollection _query = http.Request.Query;
    private readonly HashSet<string> _taken = new(StringComparer.OrdinalIgnoreCase);

    public List<FieldError> Errors { get; } = [];

    /// <summary>The value given once, or null; an error when given twice or longer than <paramref name="maxLength"/>.</summary>
    public string? Text(string name, int maxLength = ApiLimits.MaxQueryValueLength)
    {
        _taken.Add(name);
        if (!_query.TryGetValue(name, out var values))
        {
            return null;
        }
        if (values.Count > 1)
        {
            Errors.Add(new FieldError(name, $"Given {values.Count} times; give it once."));
            return null;
        }
        var text = values[0] ?? "";
        if (text.Length > maxLength)
        {
            Errors.Add(new FieldError(name, $"{Quote.Of(text)} is longer than {maxLength} characters."));
            return null;
        }
        return text;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, or null when not given.</summary>
    public long? Whole(string name, long min, long max)
    {
        var text = Text(name, 32);
        if (text is null)
        {
            return null;
        }
        if (!TryWhole(text, min, max, out var value))
        {
            Errors.Add(new FieldError(name, $"{Quote.Of(text)} is not a whole number from {min} to {max}."));
            return null;
        }
        return value;
    }

    public int? Int(string name, int min, int max) => (int?)Whole(name, min, max);

    /// <summary>
    /// A time as bodies write one (RFC 3339 with its offset: <c>2030-01-01T09:00:00Z</c>; a <c>+</c> offset written
    /// <c>%2B</c>) from <paramref name="min"/> to <paramref name="max"/>, or null when not given.
    /// </summary>
    public DateTimeOffset? Time(string name, DateTimeOffset min, DateTimeOffset max)
    {
        var text = Text(name, 64);
        if (text is null)
        {
            return null;
        }
        if (JsonFields.CheckTime(text, min, max, out var time) is { } why)
        {
            Errors.Add(new FieldError(name, why));
            return null;
        }
        return time;
    }

    /// <summary>The page size: <c>limit</c> from 1 to <paramref name="max"/>, <see cref="ApiLimits.DefaultPageSize"/> (or less than max) when not given.</summary>
    public int Limit(int max) => Int("limit", 1, max) ?? Math.Min(ApiLimits.DefaultPageSize, max);

    /// <summary>The key a paging cursor <c>after</c> carries, or null when not given (or bad: an error then).</summary>
    public string? After()
    {
        var text = Text("after", ApiLimits.MaxCursorLength);
        if (text is null)
        {
            return null;
        }
        if (!Cursor.TryDecode(text, out var key, out var error))
        {
            Errors.Add(new FieldError("after", error));
            return null;
        }
        return key;
    }

    /// <summary>One of <paramref name="allowed"/> (exact, lower case as documented), or null when not given.</summary>
    public string? OneOf(string name, params string[] allowed)
    {
        var text = Text(name, 64);
        if (text is null)
        {
            return null;
        }
        if (!allowed.Contains(text, StringComparer.Ordinal))
        {
            Errors.Add(new FieldError(name, $"{Quote.Of(text)} is not one of {string.Join(", ", allowed)}."));
            return null;
        }
        return text;
    }

    /// <summary>
    /// Every error so far, with the parameters the endpoint does not take, as one 400; null when the query is good.
    /// Call it after reading every parameter the endpoint takes.
    /// </summary>
    public ProblemHttpResult? Problem() => Check() is { Count: > 0 } errors ? Problems.Validation(errors, "The query is invalid.") : null;

    /// <summary>The errors (as <see cref="Problem"/> would answer them), for an API with its own error shape.</summary>
    public List<FieldError> Check()
    {
        var errors = new List<FieldError>(Errors);
        foreach (var key in _query.Keys.Where(k => !_taken.Contains(k)).Order(StringComparer.Ordinal))
        {
            errors.Add(new FieldError(key, $"Unknown query parameter {Quote.Of(key)}{Suggestions.Hint(key, _taken)}"));
        }
        return errors;
    }

    /// <summary>
    /// ASCII digits only, within the bounds: no sign (so <c>-0</c> and <c>+1</c> are refused, as the docs say), no
    /// spaces, no other notation.
    /// </summary>
    public static bool TryWhole(string? text, long min, long max, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 20 || !text.AsSpan().ContainsOnlyAsciiDigits())
        {
            return false;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}

file static class DigitSpans
{
    public static bool ContainsOnlyAsciiDigits(this ReadOnlySpan<char> span) => !span.ContainsAnyExceptInRange('0', '9');
}
