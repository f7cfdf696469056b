using System.Collections.Concurrent;
using Orleans;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Tests.OrleansReminders;

/// <summary>A grain that registers, changes and removes reminders on request and reports every tick to the test.</summary>
public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task Register(string name, TimeSpan dueTime, TimeSpan period);

    Task Unregister(string name);

    Task<List<string>> Registered();
}

public sealed class ReminderProbeGrain(ReminderTickLog log, ILocalSiloDetails silo) : Grain, IReminderProbeGrain, IRemindable
{
    public Task Register(string name, TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task Unregister(string name)
    {
        var reminder = await this.GetReminder(name) ?? throw new InvalidOperationException($"No reminder {name}.");
        await this.UnregisterReminder(reminder);
    }

    public async Task<List<string>> Registered() => [.. (await this.GetReminders()).Select(r => r.ReminderName).Order(StringComparer.Ordinal)];

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        log.Record(new ReminderTick(this.GetPrimaryKeyString(), reminderName, status.FirstTickTime, status.CurrentTickTime, status.Period, silo.SiloAddress.ToString()));
        return Task.CompletedTask;
    }
}

/// <summary>One delivered tick: which grain and reminder, the tick's schedule, and the silo that delivered it.</summary>
public sealed record ReminderTick(string Grain, string Reminder, DateTime FirstTickTime, DateTime CurrentTickTime, TimeSpan Period, string Silo);

/// <summary>Every tick delivered in the test's silos; shared by all of them, so it outlives a silo restart.</summary>
public sealed class ReminderTickLog
{
    private readonly ConcurrentQueue<ReminderTick> _ticks = new();

    public void Record(ReminderTick tick) => _ticks.Enqueue(tick);

    public List<ReminderTick> Of(string grain, string reminder) => [.. _ticks.Where(t => t.Grain == grain && t.Reminder == reminder)];
}
