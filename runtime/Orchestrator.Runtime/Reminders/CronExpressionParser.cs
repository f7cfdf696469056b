using System.Globalization;
using NCrontab;

namespace Orchestrator.Runtime.Reminders;

/// <summary>
/// Validates cron expressions and time zone ids for <see cref="CronSchedule"/>, producing
/// <see cref="ScheduleFormatException"/>s that name the field and the reason, and builds the NCrontab schedule.
/// </summary>
internal static class CronExpressionParser
{
    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    private static readonly FieldSpec Second = new("second", 0, 59, null);
    private static readonly FieldSpec Minute = new("minute", 0, 59, null);
    private static readonly FieldSpec Hour = new("hour", 0, 23, null);
    private static readonly FieldSpec DayOfMonth = new("day-of-month", 1, 31, null);

    private static readonly FieldSpec Month = new(
        "month",
        1,
        12,
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]);

    private static readonly FieldSpec DayOfWeek = new(
        "day-of-week",
        0,
        6,
        ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]);

    private static readonly FieldSpec[] FiveFields = [Minute, Hour, DayOfMonth, Month, DayOfWeek];
    private static readonly FieldSpec[] SixFields = [Second, Minute, Hour, DayOfMonth, Month, DayOfWeek];

    /// <summary>Parses and validates <paramref name="expression"/> (5 or 6 fields, or a macro).</summary>
    /// <exception cref="ScheduleFormatException">The expression is malformed or never matches a date.</exception>
    public static ParsedCron Parse(string? expression)
    {
        string trimmed = expression?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            throw Error(trimmed, "the expression is empty");
        }

        string body = trimmed;
        if (trimmed[0] == '@' && !Macros.TryGetValue(trimmed, out body!))
        {
            throw Error(
                trimmed,
                $"unknown macro '{trimmed}'; supported macros are {string.Join(", ", Macros.Keys)}");
        }

        string[] tokens = body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length is not (5 or 6))
        {
            throw Error(
                trimmed,
                $"expected 5 fields (minute hour day-of-month month day-of-week) or 6 fields (second minute hour " +
                $"day-of-month month day-of-week), found {tokens.Length}");
        }

        FieldSpec[] specs = tokens.Length == 6 ? SixFields : FiveFields;
        for (int i = 0; i < tokens.Length; i++)
        {
            ValidateField(trimmed, specs[i], tokens[i]);
        }

        // Sub-day fields: seconds (6-field form only), minute and hour.
        int subDayFields = tokens.Length == 6 ? 3 : 2;
        bool isInterval = tokens.Take(subDayFields).Any(t => t.IndexOfAny(['*', '/', '-']) >= 0);

        string normalized = string.Join(' ', tokens);
        CrontabSchedule schedule;
        try
        {
            schedule = CrontabSchedule.Parse(
                normalized,
                new CrontabSchedule.ParseOptions { IncludingSeconds = tokens.Length == 6 });
        }
        catch (CrontabException ex)
        {
            throw Translate(trimmed, ex);
        }

        // NCrontab requires both day-of-month and day-of-week to match; reject combinations that never occur
        // (e.g. '0 0 30 2 *'). 400 years is a whole Gregorian cycle, so this is exact.
        var cycleStart = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var cycleEnd = cycleStart.AddYears(400);
        if (schedule.GetNextOccurrence(cycleStart, cycleEnd) >= cycleEnd)
        {
            throw Error(
                trimmed,
                "the expression never matches any date (its day-of-month, month and day-of-week fields never " +
                "coincide)");
        }

        return new ParsedCron(trimmed, isInterval, schedule);
    }

    /// <summary>Resolves an IANA time zone id.</summary>
    /// <exception cref="ScheduleFormatException">The id is empty or not a known time zone.</exception>
    public static TimeZoneInfo ResolveTimeZone(string? timeZoneId)
    {
        if (string.IsNullOrWhiteSpace(timeZoneId))
        {
            throw new ScheduleFormatException(
                $"time zone '{timeZoneId}': an IANA time zone id (e.g. 'UTC' or 'Europe/London') is required",
                nameof(timeZoneId));
        }

        if (timeZoneId == "UTC")
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        }
        catch (TimeZoneNotFoundException ex)
        {
            throw new ScheduleFormatException(
                $"time zone '{timeZoneId}': not a known IANA time zone id", nameof(timeZoneId), ex);
        }
        catch (InvalidTimeZoneException ex)
        {
            throw new ScheduleFormatException(
                $"time zone '{timeZoneId}': the time zone data on this machine is invalid ({ex.Message})",
                nameof(timeZoneId),
                ex);
        }
    }

    private static void ValidateField(string expression, FieldSpec spec, string token)
    {
        foreach (string element in token.Split(','))
        {
            if (element.Length == 0)
            {
                throw FieldError(expression, spec, $"empty list element in '{token}'");
            }

            string range = element;
            int slash = element.IndexOf('/');
            if (slash >= 0)
            {
                string stepText = element[(slash + 1)..];
                range = element[..slash];
                int valueCount = spec.Max - spec.Min + 1;
                if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out int step) ||
                    step < 1 || step > valueCount)
                {
                    throw FieldError(
                        expression, spec, $"step '{stepText}' in '{element}' must be an integer from 1 to {valueCount}");
                }

                if (range.Length == 0)
                {
                    throw FieldError(expression, spec, $"'{element}' has no value or range before '/'");
                }
            }

            if (range == "*")
            {
                continue;
            }

            int dash = range.IndexOf('-');
            if (dash < 0)
            {
                _ = ParseValue(expression, spec, range);
                continue;
            }

            if (dash == 0 || dash == range.Length - 1)
            {
                throw FieldError(expression, spec, $"'{range}' is not a valid range (expected start-end)");
            }

            int start = ParseValue(expression, spec, range[..dash]);
            int end = ParseValue(expression, spec, range[(dash + 1)..]);
            if (start > end)
            {
                throw FieldError(expression, spec, $"range '{range}' is reversed (start {start} is after end {end})");
            }
        }
    }

    private static int ParseValue(string expression, FieldSpec spec, string text)
    {
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ||
                value < spec.Min || value > spec.Max)
            {
                throw FieldError(expression, spec, $"value {text} is out of range {spec.Min}-{spec.Max}");
            }

            return value;
        }

        if (spec.Names is { } names && text.Length >= 3)
        {
            for (int i = 0; i < names.Length; i++)
            {
                if (names[i].StartsWith(text, StringComparison.OrdinalIgnoreCase))
                {
                    return spec.Min + i;
                }
            }
        }

        string expected = spec.Names is null
            ? $"a number from {spec.Min} to {spec.Max}"
            : $"a number from {spec.Min} to {spec.Max} or a name such as '{spec.Names[0][..3].ToUpperInvariant()}'";
        throw FieldError(expression, spec, $"'{text}' is not valid; expected {expected}");
    }

    private static ScheduleFormatException Translate(string expression, CrontabException ex)
    {
        // Safety net for anything NCrontab rejects that the validation above let through. Its messages name the
        // field as "[Minute]", "[Day]", "[DayOfWeek]", ...
        string detail = ex.InnerException?.Message ?? ex.Message;
        (string Marker, string Name)[] kinds =
        [
            ("[Second]", Second.Name), ("[Minute]", Minute.Name), ("[Hour]", Hour.Name), ("[Day]", DayOfMonth.Name),
            ("[Month]", Month.Name), ("[DayOfWeek]", DayOfWeek.Name),
        ];
        foreach ((string marker, string name) in kinds)
        {
            if (ex.Message.Contains(marker, StringComparison.Ordinal))
            {
                return new ScheduleFormatException(
                    $"cron expression '{expression}': {name} field: {detail}", "expression", ex);
            }
        }

        return new ScheduleFormatException($"cron expression '{expression}': {detail}", "expression", ex);
    }

    private static ScheduleFormatException Error(string expression, string reason) =>
        new($"cron expression '{expression}': {reason}", "expression");

    private static ScheduleFormatException FieldError(string expression, FieldSpec spec, string reason) =>
        new($"cron expression '{expression}': {spec.Name} field: {reason}", "expression");

    /// <summary>A validated cron expression.</summary>
    /// <param name="Expression">The expression as given, trimmed.</param>
    /// <param name="IsInterval">Whether the second, minute or hour field contains '*', '/' or '-'.</param>
    /// <param name="Schedule">The NCrontab schedule (macros expanded).</param>
    internal sealed record ParsedCron(string Expression, bool IsInterval, CrontabSchedule Schedule);

    private sealed record FieldSpec(string Name, int Min, int Max, string[]? Names);
}
