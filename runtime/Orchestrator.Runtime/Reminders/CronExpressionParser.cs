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

    /// <summary>The longest new expression accepted, in characters (saved ones are not held to it).</summary>
    public const int MaxExpressionLength = 1024;

    /// <summary>Refuses a new expression longer than <see cref="MaxExpressionLength"/> (trimmed).</summary>
    /// <exception cref="ScheduleFormatException">The expression is too long.</exception>
    public static void CheckLength(string? expression)
    {
        string trimmed = expression?.Trim() ?? string.Empty;
        if (trimmed.Length > MaxExpressionLength)
        {
            throw new ScheduleFormatException(
                $"cron expression '{trimmed[..40]}…': at most {MaxExpressionLength} characters", "expression");
        }
    }

    /// <summary>Parses and validates <paramref name="expression"/> (5 or 6 fields, or a macro).</summary>
    /// <exception cref="ScheduleFormatException">The expression is malformed or never matches a date.</exception>
    public static ParsedCron Parse(string? expression, DayMatching dayMatching)
    {
        string trimmed = expression?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            throw Error(trimmed, "the expression is empty");
        }

        if (!Enum.IsDefined(dayMatching))
        {
            throw new ScheduleFormatException(
                $"day matching '{dayMatching}': must be {nameof(DayMatching.Either)} or {nameof(DayMatching.Both)}",
                "dayMatching");
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
            tokens[i] = QuestionMarkAsStar(tokens[i]);
            ValidateField(trimmed, specs[i], tokens[i]);
        }

        // Sub-day fields: seconds (6-field form only), minute and hour.
        int subDayFields = tokens.Length == 6 ? 3 : 2;
        bool isInterval = tokens.Take(subDayFields).Any(t => t.IndexOfAny(['*', '/', '-']) >= 0);

        // NCrontab requires both day fields to match. The standard rule (either matches, when both are restricted) is
        // the union of two NCrontab schedules: one with the day-of-week field unrestricted, one with the
        // day-of-month field unrestricted (all other fields the same). When a day field is unrestricted the two
        // rules agree and one schedule does.
        int dom = tokens.Length == 6 ? 3 : 2;
        int dow = dom + 2;
        bool union = dayMatching == DayMatching.Either && !IsUnrestricted(tokens[dom]) && !IsUnrestricted(tokens[dow]);
        var schedules = new List<CrontabSchedule>(2);
        if (!union)
        {
            CrontabSchedule schedule = Crontab(trimmed, tokens);
            if (!EverMatches(schedule))
            {
                throw Error(
                    trimmed,
                    "the expression never matches any date (its day-of-month, month and day-of-week fields never " +
                    "coincide)");
            }

            schedules.Add(schedule);
        }
        else
        {
            // The day-of-week half always matches (every month has every weekday); the day-of-month half may not
            // ('0 0 30 2 MON': there is no 30 February, but there are Mondays in February).
            foreach (int star in new[] { dow, dom })
            {
                string[] half = (string[])tokens.Clone();
                half[star] = "*";
                CrontabSchedule schedule = Crontab(trimmed, half);
                if (EverMatches(schedule))
                {
                    schedules.Add(schedule);
                }
            }

            if (schedules.Count == 0)
            {
                throw Error(trimmed, "the expression never matches any date");
            }
        }

        return new ParsedCron(trimmed, isInterval, [.. schedules]);
    }

    /// <summary>
    /// Whether a day field counts as unrestricted: one of its elements is <c>*</c> (or <c>?</c>, already made
    /// <c>*</c>), alone or with step 1.
    /// </summary>
    /// <remarks>
    /// This is robfig/cron's rule (github.com/robfig/cron/v3, parser.go <c>getRange</c>: <c>*</c> or <c>?</c> sets
    /// <c>starBit</c>, and <c>if step &gt; 1 { extra = 0 }</c> clears it again; spec.go <c>dayMatches</c>: "if
    /// s.Dom&amp;starBit &gt; 0 || s.Dow&amp;starBit &gt; 0 { return domMatch &amp;&amp; dowMatch }; return
    /// domMatch || dowMatch"; its test "* * */10 * Sun" on Sunday 15 July 2012 is true, "verifies #70"). Kubernetes'
    /// CronJob controller parses schedules with robfig/cron v3's <c>cron.ParseStandard</c> and Harbor's job service
    /// uses robfig/cron v3 (src/go.mod), so this is what the schedules we take over mean. Vixie cron and cronie
    /// differ on one point: they set <c>DOM_STAR</c>/<c>DOW_STAR</c> when the field's first character is <c>*</c>
    /// (entry.c: <c>if (ch == '*') e-&gt;flags |= DOM_STAR;</c>; cron.c: <c>(e-&gt;flags &amp; (DOM_STAR|DOW_STAR))
    /// ? (thisdom &amp;&amp; thisdow) : (thisdom || thisdow)</c>), so there <c>*/2</c> counts as unrestricted and
    /// <c>0 0 */2 * 5</c> means odd-numbered Fridays, while robfig/cron (and we) read it as odd days and Fridays.
    /// Both agree on <c>*</c>, <c>?</c>, lists, ranges and single values.
    /// </remarks>
    internal static bool IsUnrestricted(string field)
    {
        foreach (string element in field.Split(','))
        {
            int slash = element.IndexOf('/');
            string range = slash < 0 ? element : element[..slash];
            if (range == "*" && (slash < 0 || int.Parse(element[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture) == 1))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>'?' stands for '*' in any field, as in robfig/cron and Kubernetes ('?' or '?/n' as a list element).</summary>
    private static string QuestionMarkAsStar(string field) =>
        field.Contains('?', StringComparison.Ordinal)
            ? string.Join(',', field.Split(',').Select(e => e == "?" || e.StartsWith("?/", StringComparison.Ordinal) ? "*" + e[1..] : e))
            : field;

    private static CrontabSchedule Crontab(string expression, string[] tokens)
    {
        try
        {
            return CrontabSchedule.Parse(
                string.Join(' ', tokens),
                new CrontabSchedule.ParseOptions { IncludingSeconds = tokens.Length == 6 });
        }
        catch (CrontabException ex)
        {
            throw Translate(expression, ex);
        }
    }

    /// <summary>Whether the schedule matches any date; 400 years are a whole Gregorian cycle, so this is exact.</summary>
    private static bool EverMatches(CrontabSchedule schedule)
    {
        var cycleStart = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var cycleEnd = cycleStart.AddYears(400);
        return schedule.GetNextOccurrence(cycleStart, cycleEnd) < cycleEnd;
    }

    /// <summary>Resolves an IANA time zone id (see <see cref="TimeZoneIds"/>).</summary>
    /// <exception cref="ScheduleFormatException">The id is empty or not an accepted time zone id.</exception>
    public static TimeZoneInfo ResolveTimeZone(string? timeZoneId) => TimeZoneIds.Resolve(timeZoneId);

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
    /// <param name="Schedules">
    /// NCrontab schedules (macros expanded, '?' as '*') whose union is the expression's occurrences: one, or two for
    /// the standard day rule when both day fields are restricted (a half that never matches is left out).
    /// </param>
    internal sealed record ParsedCron(string Expression, bool IsInterval, CrontabSchedule[] Schedules);

    private sealed record FieldSpec(string Name, int Min, int Max, string[]? Names);
}
