using Orchestrator.Runtime.Grains;

namespace Orchestrator.Runtime.Reminders;

/// <summary>What to do with due times that passed while nobody could fire them (the cluster was down, say).</summary>
public enum MisfirePolicy
{
    /// <summary>Fire once now for all missed due times (the tick reports how many were missed); the default.</summary>
    FireOnceNow = 0,

    /// <summary>Fire nothing for missed due times; carry on with the next one in the future (Orleans' behaviour).</summary>
    Skip = 1,

    /// <summary>Fire every missed due time, in order, that lies within the catch-up window; skip older ones.</summary>
    FireAll = 2,
}

/// <summary>Tells a grain which due time a reminder tick is for.</summary>
/// <param name="DueTime">The scheduled due time this tick stands for (UTC).</param>
/// <param name="FiredAt">When the runtime fired it (UTC).</param>
/// <param name="MissedCount">Due times passed over before this one because of the misfire policy.</param>
public sealed record TickStatus(DateTimeOffset DueTime, DateTimeOffset FiredAt, int MissedCount);

/// <summary>A reminder as a grain sees it.</summary>
public sealed record ReminderInfo(string Name, ReminderSchedule Schedule, MisfirePolicy Misfire, DateTimeOffset NextDue, DateTimeOffset? LastDue);

/// <summary>A stored reminder row.</summary>
internal sealed record StoredReminder(
    GrainId Grain,
    string Name,
    int Shard,
    ReminderSchedule Schedule,
    MisfirePolicy Misfire,
    DateTimeOffset NextDue,
    DateTimeOffset? LastDue,
    long Version)
{
    public ReminderInfo ToInfo() => new(Name, Schedule, Misfire, NextDue, LastDue);
}

/// <summary>A reminder change made by a turn: an upsert, or a delete when <see cref="Upsert"/> is null.</summary>
internal sealed record ReminderWrite(string Name, StoredReminder? Upsert);

/// <summary>One reminder firing: the messages it sends and where its schedule moves to, guarded by its version.</summary>
internal sealed record ReminderFire(StoredReminder Reminder, long Epoch, IReadOnlyList<Messaging.OutgoingMessage> Messages, DateTimeOffset NextDue, DateTimeOffset? LastDue);

/// <summary>The columns a schedule is stored in.</summary>
internal static class ScheduleColumns
{
    public const short IntervalKind = 1;

    /// <summary>
    /// A cron schedule whose day-of-month and day-of-week must both match (<see cref="DayMatching.Both"/>). Every
    /// cron reminder stored before <see cref="DayMatching"/> existed has this kind and meant exactly that, so it
    /// keeps its meaning.
    /// </summary>
    public const short CronBothKind = 2;

    /// <summary>A cron schedule with the standard day rule (<see cref="DayMatching.Either"/>).</summary>
    public const short CronKind = 3;

    public static (short Kind, long PeriodMs, DateTimeOffset Anchor, string Cron, string TimeZone) From(ReminderSchedule schedule) => schedule switch
    {
        IntervalSchedule i => (IntervalKind, (long)i.Period.TotalMilliseconds, i.Anchor.ToUniversalTime(), "", ""),
        CronSchedule c => (c.DayMatching == DayMatching.Both ? CronBothKind : CronKind, 0, DateTimeOffset.UnixEpoch, c.Expression, c.TimeZoneId),
        _ => throw new ArgumentException($"Unknown schedule type '{schedule.GetType().Name}'.", nameof(schedule)),
    };

    /// <summary>A stored schedule; its expression and zone were validated when it was registered (see <see cref="CronSchedule.ParseSaved"/>).</summary>
    public static ReminderSchedule To(short kind, long periodMs, DateTimeOffset anchor, string cron, string timeZone) => kind switch
    {
        IntervalKind => ReminderSchedule.Every(TimeSpan.FromMilliseconds(periodMs), anchor),
        CronKind => CronSchedule.ParseSaved(cron, timeZone, DayMatching.Either),
        CronBothKind => CronSchedule.ParseSaved(cron, timeZone, DayMatching.Both),
        _ => throw new InvalidOperationException($"Stored reminder has unknown schedule kind {kind}."),
    };

    /// <summary>
    /// The schedule as the store keeps it: interval periods and anchors at millisecond precision. Due times computed
    /// from it are the ones computed after a reload, and each is strictly later than the last at that precision.
    /// </summary>
    public static ReminderSchedule Stored(ReminderSchedule schedule) => schedule is IntervalSchedule i
        ? ReminderSchedule.Every(TimeSpan.FromMilliseconds(Math.Max(1, (long)i.Period.TotalMilliseconds)), Truncate(i.Anchor))
        : schedule;

    /// <summary>Instants are stored at millisecond precision on both stores; round so keys computed from them agree.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset t) =>
        DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
}
