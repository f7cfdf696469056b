using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace Orchestrator.Plans.Parsing;

/// <summary>
/// Durations as plan files write them: <c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>1h30m</c> (units <c>ms</c>, <c>s</c>,
/// <c>m</c>, <c>h</c>, <c>d</c>, whole or decimal numbers), or ISO 8601 such as <c>PT10S</c>. A bare number is an
/// error: without a unit nobody can tell seconds from minutes.
/// </summary>
public static partial class DurationFormat
{
    // Any one number above this overflows TimeSpan whatever its unit (TimeSpan.MaxValue is about 9.2e14 ms).
    private const decimal MaxUnits = 1e16m;

    /// <summary>Longer than any duration a plan accepts; longer text is not read at all (no number needs it).</summary>
    private const int MaxTextLength = 256;

    /// <summary>
    /// Parses a duration; false for anything else, including a bare number and a duration <see cref="TimeSpan"/>
    /// cannot hold. Never throws: any text at all gives true or false.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        var s = (text ?? "").Trim();
        if (s.Length == 0 || s.Length > MaxTextLength)
        {
            return false;
        }

        if (s[0] is 'P' or 'p' or '-')
        {
            return TryParseIso(s, out value);
        }

        var match = GoStyle().Match(s);
        if (!match.Success)
        {
            return false;
        }

        // Summed in ticks, as decimal: exact for every number the pattern admits, and compared with the very bound
        // the conversion to TimeSpan has (a bound in milliseconds read from a double would be rounded).
        decimal ticks = 0;
        var numbers = match.Groups["n"].Captures;
        var units = match.Groups["u"].Captures;
        for (var i = 0; i < numbers.Count; i++)
        {
            // Numbers too long for a decimal, or sums past TimeSpan, are simply not durations.
            if (!decimal.TryParse(numbers[i].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n > MaxUnits)
            {
                return false;
            }
            ticks += n * units[i].Value switch
            {
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => TimeSpan.TicksPerDay,
            };
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)decimal.Truncate(ticks));
        return true;
    }

    private static bool TryParseIso(string s, out TimeSpan value)
    {
        try
        {
            value = XmlConvert.ToTimeSpan(s.ToUpperInvariant());
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            value = default;
            return false;
        }
    }

    /// <summary>
    /// Writes a duration the way plan files do: <c>1h30m</c>, <c>10s</c>, <c>500ms</c> (<c>0s</c> for zero); a negative
    /// duration or one with a fraction of a millisecond is written in ISO 8601 so that it reads back unchanged.
    /// </summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero || value.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            return XmlConvert.ToString(value);
        }

        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        var hours = (long)value.TotalHours;
        Append(text, hours, "h");
        Append(text, value.Minutes, "m");
        Append(text, value.Seconds, "s");
        Append(text, value.Milliseconds, "ms");
        return text.ToString();
    }

    private static void Append(StringBuilder text, long amount, string unit)
    {
        if (amount != 0)
        {
            text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }

    [GeneratedRegex(@"^(?:(?<n>[0-9]+(?:\.[0-9]+)?)(?<u>ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex GoStyle();
}
