using System.Globalization;
using System.Text.RegularExpressions;
using Orchestrator.Cli.App;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// Durations (<c>90s</c>, <c>15m</c>, <c>1h30m</c>, <c>7d</c>, <c>2w</c>) and points in time as flags take them: an ISO 8601
/// time (<c>2026-12-05</c>, <c>2026-12-05T08:00</c>, <c>2026-12-05T08:00:00+01:00</c>; without an offset it is UTC), or a
/// duration meaning that long before now (<c>--since 1h</c>). Pure: the caller passes the time now.
/// </summary>
public static partial class TimeArgs
{
    /// <summary>A duration such as <c>1h30m</c>; a usage error naming <paramref name="flag"/> and the forms otherwise.</summary>
    public static TimeSpan Duration(string text, string flag)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryDuration(text.Trim(), out var value) && value > TimeSpan.Zero
            ? value
            : throw new CliException($"{flag} '{text}' is not a duration; use a number with a unit, such as 90s, 15m, 1h30m, 7d or 2w.");
    }

    /// <summary>An ISO time, or a duration before <paramref name="now"/>; a usage error naming <paramref name="flag"/> otherwise.</summary>
    public static DateTimeOffset PointInTime(string text, string flag, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (TryDuration(trimmed, out var ago))
        {
            return now - ago;
        }
        // Only ISO shapes (digits first, a dash in the date): "12/05" or "yesterday" are not guessed at.
        if (trimmed.Length >= 10 && char.IsAsciiDigit(trimmed[0]) && trimmed[4] == '-'
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }
        throw new CliException($"{flag} '{text}' is neither a duration before now (such as 30m, 1h or 7d) nor an ISO time (such as 2026-12-05T08:00:00Z).");
    }

    private static bool TryDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value[^1];
            if (!long.TryParse(part.Value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 100_000)
            {
                return false;
            }
            value += unit switch
            {
                'w' => TimeSpan.FromDays(7 * amount),
                'd' => TimeSpan.FromDays(amount),
                'h' => TimeSpan.FromHours(amount),
                'm' => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromSeconds(amount),
            };
        }
        return true;
    }

    [GeneratedRegex("^(?<part>[0-9]+[wdhms])+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
