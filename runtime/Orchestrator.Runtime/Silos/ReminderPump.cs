using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Reminders;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>
/// Fires the due reminders of the held shards. A firing inserts the tick message, keyed by reminder and due time,
/// and advances the reminder with a version check, in one statement fenced by the shard epoch: each due time fires
/// once cluster-wide. The next due time is computed from the scheduled one, so a late firing never drifts the grid.
/// </summary>
internal sealed partial class ReminderPump
{
    private const int BatchSize = 2000;
    private static readonly long BucketTicks = TimeSpan.FromMilliseconds(50).Ticks;
    private const int IterationLimit = 1_000_000;
    private readonly SiloContext _silo;
    private readonly CancellationToken _stopping;
    private readonly AsyncSignal _wake = new();

    public ReminderPump(SiloContext silo, CancellationToken stopping)
    {
        _silo = silo;
        _stopping = stopping;
        Completion = Task.Run(RunAsync, CancellationToken.None);
    }

    public Task Completion { get; }

    public void Wake() => _wake.Set();

    private async Task RunAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _silo.Gate.WaitAsync(_stopping);
                var full = await FireDueAsync();
                if (!full)
                {
                    await _wake.WaitAsync(_silo.Options.ReminderPollInterval, _stopping);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.FireFailed(_silo.Logger, ex);
                await _wake.WaitAsync(_silo.Options.ReminderPollInterval, _stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<bool> FireDueAsync()
    {
        var shards = _silo.Shards.Active;
        if (shards.Length == 0)
        {
            return false;
        }
        var now = _silo.Clock.GetUtcNow();
        var due = await _silo.Store.FetchDueRemindersAsync(shards, now + _silo.Options.ReminderLookahead, BatchSize, _stopping);
        if (due.Count == 0)
        {
            return false;
        }
        var fires = new List<ReminderFire>(due.Count);
        foreach (var reminder in due)
        {
            if (_silo.Shards.TryGetEpoch(reminder.Shard, out var epoch))
            {
                fires.Add(Plan(reminder, epoch, now));
            }
        }
        var (fired, firstMessage) = await _silo.Store.FireRemindersAsync(_silo.SiloId, fires, _stopping);
        _silo.Metrics.RemindersFired(fired);
        if (firstMessage > 0)
        {
            // Ticks fired ahead become visible at their due time: have the inbox pump look for them then.
            // One wake-up per 50 ms of due times is enough (the sweep takes everything visible by then).
            foreach (var at in fires.SelectMany(f => f.Messages).Where(m => m.VisibleAt > now)
                         .Select(m => new DateTimeOffset((m.VisibleAt.UtcTicks + BucketTicks - 1) / BucketTicks * BucketTicks, TimeSpan.Zero)).Distinct())
            {
                _silo.Pump.ExpectVisible(firstMessage, at);
            }
            _silo.Pump.Wake();
        }
        return due.Count == BatchSize;
    }

    /// <summary>Decides what a due reminder sends and where its schedule moves, following its misfire policy.</summary>
    internal ReminderFire Plan(StoredReminder reminder, long epoch, DateTimeOffset now)
    {
        var schedule = reminder.Schedule;
        var due = reminder.NextDue;
        // Stored schedules have millisecond precision (ScheduleColumns.Stored), so this is strictly after t.
        DateTimeOffset Next(DateTimeOffset t) => ScheduleColumns.Truncate(schedule.NextAfter(t));

        if (now - due <= _silo.Options.MisfireThreshold)
        {
            return new ReminderFire(reminder, epoch, [Tick(reminder, due, 0, now)], Next(due), due);
        }
        switch (reminder.Misfire)
        {
            case MisfirePolicy.Skip:
            {
                var (latest, _) = LatestAtOrBefore(due, now, Next);
                return new ReminderFire(reminder, epoch, [], Next(latest), reminder.LastDue);
            }
            case MisfirePolicy.FireAll:
            {
                var windowStart = now - _silo.Options.CatchUpWindow;
                var d = due;
                var skipped = 0;
                for (var i = 0; d < windowStart && i < IterationLimit; i++)
                {
                    d = Next(d);
                    skipped++;
                }
                var messages = new List<OutgoingMessage>();
                DateTimeOffset? last = reminder.LastDue;
                while (d <= now && messages.Count < BatchSize)
                {
                    messages.Add(Tick(reminder, d, messages.Count == 0 ? skipped : 0, now));
                    last = d;
                    d = Next(d);
                }
                return new ReminderFire(reminder, epoch, messages, d, last);
            }
            default:
            {
                var (latest, missed) = LatestAtOrBefore(due, now, Next);
                return new ReminderFire(reminder, epoch, [Tick(reminder, latest, missed, now)], Next(latest), latest);
            }
        }
    }

    private static (DateTimeOffset Latest, int Passed) LatestAtOrBefore(DateTimeOffset due, DateTimeOffset now, Func<DateTimeOffset, DateTimeOffset> next)
    {
        var latest = due;
        var passed = 0;
        for (var candidate = next(due); candidate <= now && passed < IterationLimit; candidate = next(candidate))
        {
            latest = candidate;
            passed++;
        }
        return (latest, passed);
    }

    private static OutgoingMessage Tick(StoredReminder reminder, DateTimeOffset due, int missed, DateTimeOffset now)
    {
        var body = new MessageBody { Kind = MessageBody.ReminderKind, Reminder = reminder.Name, Due = due, Missed = missed };
        return new OutgoingMessage(reminder.Grain, reminder.Shard, DedupeKey(reminder.Name, due), body.ToBytes(), due > now ? due : now);
    }

    /// <summary>The dedupe key of a reminder tick: the reminder and its due time, so each due time fires once.</summary>
    internal static string DedupeKey(string reminderName, DateTimeOffset due) => $"rem:{reminderName}:{due.ToUnixTimeMilliseconds()}";

    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Firing reminders failed; retrying after the poll interval")]
        public static partial void FireFailed(ILogger logger, Exception exception);
    }
}
