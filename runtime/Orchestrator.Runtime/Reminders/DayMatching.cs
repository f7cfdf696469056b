namespace Orchestrator.Runtime.Reminders;

/// <summary>
/// How a cron expression's day-of-month and day-of-week fields combine when both are restricted.
/// </summary>
/// <remarks>
/// A day field is <em>unrestricted</em> when one of its comma-separated elements is <c>*</c> or <c>?</c>, alone or
/// with the step <c>/1</c> (robfig/cron's <c>starBit</c>); anything else, <c>*/2</c> included, restricts it. When
/// either day field is unrestricted both rules agree: a day matches when both fields match (the unrestricted one
/// matches every day). They differ only when both are restricted: <c>0 9 13 * 5</c> is every Friday and every 13th
/// under <see cref="Either"/>, Friday the 13th only under <see cref="Both"/>.
/// </remarks>
[Orleans.GenerateSerializer]
public enum DayMatching
{
    /// <summary>
    /// The standard rule (Vixie cron, POSIX crontab, robfig/cron as Kubernetes CronJob and Harbor use it): when both
    /// day fields are restricted, a day matches if either matches. The default.
    /// </summary>
    Either = 0,

    /// <summary>Both day fields must match (NCrontab's and Quartz-like semantics); an explicit choice.</summary>
    Both = 1,
}
