namespace Orchestrator.Runtime.Reminders;

/// <summary>
/// Thrown when a reminder schedule cannot be built from its inputs: a malformed or impossible cron expression, an
/// unknown time zone id, or a non-positive interval period. The message names the offending input, the field and
/// the reason, e.g. <c>cron expression '61 * * * *': minute field: value 61 is out of range 0-59</c> or
/// <c>time zone 'Mars/Base': not a known IANA time zone id</c>.
/// </summary>
public sealed class ScheduleFormatException : ArgumentException
{
    /// <summary>Creates the exception with a default message.</summary>
    public ScheduleFormatException()
        : base("The reminder schedule is not valid.")
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    public ScheduleFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the given message and the underlying cause.</summary>
    public ScheduleFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the given message, naming the offending parameter.</summary>
    public ScheduleFormatException(string message, string? paramName)
        : base(message, paramName)
    {
    }

    /// <summary>Creates the exception with the given message, the offending parameter and the underlying cause.</summary>
    public ScheduleFormatException(string message, string? paramName, Exception? innerException)
        : base(message, paramName, innerException)
    {
    }
}
