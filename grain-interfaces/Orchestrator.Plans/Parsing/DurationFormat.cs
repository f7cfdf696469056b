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

    /// <summary>Parses a duration; false for anything else, including a bare number.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        var s = (text ?? "").Trim();
        if (s.Length == 0)
        {
            return false;
        }

        if (s[0] is 'P' or 'p' or '-')
        {
            try
            {
                value = XmlConvert.ToTimeSpan(s.ToUpperInvariant());
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        var match = GoStyle().Match(s);
        if (!match.Success)
        {
            return false;
        }

        decimal ms = 0;
        var numbers = match.Groups["n"].Captures;
        var units = match.Groups["u"].Captures;
        for (var i = 0; i < numbers.Count; i++)
        {
            // Numbers too long for a decimal, or sums past it, are simply not durations.
            if (!decimal.TryParse(numbers[i].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n > MaxUnits)
            {
                return false;
            }
            ms += n * units[i].Value switch
            {
                "ms" => 1m,
                "s" => 1_000m,
                "m" => 60_000m,
                "h" => 3_600_000m,
                _ => 86_400_000m,
            };
            if (ms > (decimal)TimeSpan.MaxValue.TotalMilliseconds)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)(ms * TimeSpan.TicksPerMillisecond));
        return true;
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

    [GeneratedRegex(@"^(?:(?<n>\d+(?:\.\d+)?)(?<u>ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex GoStyle();
}
