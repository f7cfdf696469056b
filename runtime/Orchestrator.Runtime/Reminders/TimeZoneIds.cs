using System.Globalization;
using System.Text;

namespace Orchestrator.Runtime.Reminders;

/// <summary>
/// Resolves the time zone ids cron schedules are evaluated in. Only real IANA zones are accepted: <c>UTC</c>, or a
/// name of the tz database as the machine's tz data has it (<c>Europe/London</c>,
/// <c>America/Argentina/Buenos_Aires</c>, and the database's own legacy names such as <c>Etc/UTC</c>,
/// <c>US/Eastern</c> or <c>CET</c>), spelled exactly (names are case-sensitive).
/// </summary>
/// <remarks>
/// <para>
/// .NET resolves an id by opening the file of that name under the zoneinfo directory, which accepts more than zones:
/// a folder (<c>America</c>) throws <see cref="System.Security.SecurityException"/>, <c>posixrules</c>,
/// <c>localtime</c> and the <c>posix/</c> and <c>right/</c> copies load as zones, a case variant (<c>utc</c>) or a
/// Windows name (<c>Pacific Standard Time</c>) resolves to another id. So an id must first have the shape of a tz
/// database name: 1 to <see cref="MaxLength"/> characters, one to three <c>/</c>-separated parts, each an ASCII
/// letter followed by letters, digits, <c>_</c>, <c>-</c> or <c>+</c> (no dots, spaces, control characters or empty
/// parts, so no path can be named); then it must not be one of the tz files that are not zones
/// (<c>posixrules</c>, <c>localtime</c>, <c>Factory</c>, <c>posix/…</c>, <c>right/…</c>); then .NET must find it,
/// under exactly that id.
/// </para>
/// <para>
/// <see cref="Resolve"/> never throws anything but <see cref="ScheduleFormatException"/>.
/// </para>
/// </remarks>
public static class TimeZoneIds
{
    /// <summary>The longest id accepted (the longest tz database name has 32 characters).</summary>
    public const int MaxLength = 64;

    private static readonly HashSet<string> NotZones = new(StringComparer.Ordinal) { "posixrules", "localtime", "Factory" };

    private static readonly HashSet<string> NotZoneFolders = new(StringComparer.Ordinal) { "posix", "right" };

    /// <summary>Resolves <paramref name="timeZoneId"/> to a zone, or throws naming the id and why it is refused.</summary>
    /// <exception cref="ScheduleFormatException">The id is not an accepted IANA time zone id.</exception>
    public static TimeZoneInfo Resolve(string? timeZoneId)
    {
        if (string.IsNullOrWhiteSpace(timeZoneId))
        {
            throw Error(timeZoneId ?? "", "an IANA time zone id (e.g. 'UTC' or 'Europe/London') is required");
        }

        if (timeZoneId.Length > MaxLength)
        {
            throw Error(timeZoneId, $"at most {MaxLength} characters; not a time zone id");
        }

        if (timeZoneId == "UTC")
        {
            return TimeZoneInfo.Utc;
        }

        if (ShapeProblem(timeZoneId) is { } problem)
        {
            throw Error(timeZoneId, $"not an IANA time zone id ({problem})");
        }

        string first = timeZoneId.Split('/')[0];
        if (NotZones.Contains(timeZoneId) || NotZoneFolders.Contains(first))
        {
            throw Error(timeZoneId, "a file of the tz database that is not a time zone; use a zone such as 'UTC' or 'Europe/London'");
        }

        TimeZoneInfo? zone = Find(timeZoneId);
        if (zone is null)
        {
            throw Error(timeZoneId, "not a known IANA time zone id");
        }

        if (!string.Equals(zone.Id, timeZoneId, StringComparison.Ordinal))
        {
            // A case variant ('utc', 'europe/london') that the file system or .NET's lookup let through.
            throw Error(timeZoneId, $"not a known IANA time zone id; ids are case-sensitive, did you mean '{zone.Id}'?");
        }

        return zone;
    }

    /// <summary>
    /// Resolves an id stored by an earlier version, which accepted anything .NET could load (a case variant, a
    /// Windows name): what <see cref="Resolve"/> accepts, else whatever .NET finds, so that a saved schedule keeps
    /// working. Never for new input.
    /// </summary>
    /// <exception cref="ScheduleFormatException">Not even .NET finds the id.</exception>
    internal static TimeZoneInfo ResolveSaved(string? timeZoneId)
    {
        try
        {
            return Resolve(timeZoneId);
        }
        catch (ScheduleFormatException) when (!string.IsNullOrWhiteSpace(timeZoneId) && Find(timeZoneId) is not null)
        {
            return Find(timeZoneId)!;
        }
    }

    private static TimeZoneInfo? Find(string timeZoneId)
    {
        try
        {
            return TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out TimeZoneInfo? zone) ? zone : null;
        }
#pragma warning disable CA1031 // Whatever the lookup throws (security, I/O, invalid data) means "not a zone we can use".
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static string? ShapeProblem(string id)
    {
        string[] parts = id.Split('/');
        if (parts.Length > 3)
        {
            return "more than three '/'-separated parts";
        }

        foreach (string part in parts)
        {
            if (part.Length == 0)
            {
                return "an empty part";
            }

            if (!char.IsAsciiLetter(part[0]))
            {
                return $"part '{Printable(part)}' does not start with a letter";
            }

            foreach (char c in part)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+'))
                {
                    return $"character {Describe(c)} is not allowed; ids are ASCII letters, digits, '_', '-', '+' and '/'";
                }
            }
        }

        return null;
    }

    private static string Describe(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) || c > '~'
            ? $"U+{(int)c:X4}"
            : $"'{c}'";

    private static ScheduleFormatException Error(string id, string reason) =>
        new($"time zone '{Printable(id)}': {reason}", "timeZoneId");

    /// <summary>The id as it can be shown: control characters escaped, cut after <see cref="MaxLength"/> characters.</summary>
    private static string Printable(string id)
    {
        var text = new StringBuilder();
        foreach (char c in id.Length > MaxLength ? id[..MaxLength] : id)
        {
            text.Append(char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}") : c);
        }

        return id.Length > MaxLength ? text.Append("…").ToString() : text.ToString();
    }
}
