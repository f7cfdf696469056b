using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Silos;

/// <summary>
/// What one turn (or the consecutive turns committed together) has decided so far: messages to send, reminder and
/// index changes, applied only at commit. The last change of a reminder or an index key wins.
/// </summary>
internal sealed class TurnContext(IGrainContext activation)
{
    private readonly Dictionary<string, ReminderWrite> _reminders = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Kind, string Partition, string Key), IndexWrite> _indexes = [];

    public List<OutgoingMessage> Outbox { get; } = [];

    public IReadOnlyList<ReminderWrite> ReminderWrites => [.. _reminders.Values];

    public bool ChangesReminders => _reminders.Count > 0;

    /// <summary>The turn registers or changes a reminder (not only removes some).</summary>
    public bool AddsReminders => _reminders.Values.Any(w => w.Upsert is not null);

    /// <summary>The last write of each index key, in ordinal key order.</summary>
    public IReadOnlyList<IndexWrite> IndexWrites => _indexes.Count == 0 ? [] : IndexWrite.LastWins(_indexes.Values);

    public void WriteIndex(IndexRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        CheckIndexKey(row.Kind, row.Partition, row.Key);
        _indexes[(row.Kind, row.Partition, row.Key)] = IndexWrite.Upsert(row);
    }

    public void DeleteIndex(string kind, string partition, string key)
    {
        CheckIndexKey(kind, partition, key);
        _indexes[(kind, partition, key)] = IndexWrite.Delete(kind, partition, key);
    }

    private static void CheckIndexKey(string kind, string partition, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(partition); // "" is a partition: a kind that needs only one
        ArgumentNullException.ThrowIfNull(key);
    }

    public void Send(GrainId target, byte[] payload, string? dedupeKey)
    {
        // A resent turn (after a crash before its commit) produces the same keys, so the receiver applies it once.
        var key = dedupeKey ?? $"g:{activation.Id}:{activation.Version + 1}:{Outbox.Count}";
        Outbox.Add(new OutgoingMessage(target, target.ShardOf(activation.ShardCount), key, payload, activation.Clock.GetUtcNow()));
    }

    public void RegisterReminder(string name, ReminderSchedule schedule, MisfirePolicy misfire, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(schedule);
        // Work from the schedule as stored, so that due times computed now and after a reload agree.
        schedule = ScheduleColumns.Stored(schedule);
        // An interval's grid extends both ways from its anchor; the first due time is the anchor (Orleans' dueTime)
        // unless it already passed, then the next grid point.
        var from = schedule is IntervalSchedule interval && interval.Anchor > now ? interval.Anchor : now;
        var next = ScheduleColumns.Truncate(schedule.FirstAtOrAfter(ScheduleColumns.Truncate(from)));
        var reminder = new StoredReminder(activation.Id, name, activation.Shard, schedule, misfire, next, null, 0);
        _reminders[name] = new ReminderWrite(name, reminder);
    }

    public void UnregisterReminder(string name) => _reminders[name] = new ReminderWrite(name, null);

    /// <summary>The committed reminders with this turn's changes applied.</summary>
    public IReadOnlyList<ReminderInfo> Overlay(IReadOnlyList<StoredReminder> committed)
    {
        var merged = committed.ToDictionary(r => r.Name, r => r.ToInfo(), StringComparer.Ordinal);
        foreach (var write in _reminders.Values)
        {
            if (write.Upsert is null)
            {
                merged.Remove(write.Name);
            }
            else
            {
                merged[write.Name] = write.Upsert.ToInfo();
            }
        }
        return [.. merged.Values.OrderBy(r => r.Name, StringComparer.Ordinal)];
    }
}
