using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Tests.TestGrains;

public interface IReminderGrain : IGrainWithStringKey
{
    Task StartInterval(string name, TimeSpan dueTime, TimeSpan period, MisfirePolicy misfire);

    Task StartCron(string name, string expression, string timeZone, MisfirePolicy misfire);

    Task Stop(string name);

    Task<List<Tick>> GetTicks();

    Task<IReadOnlyList<ReminderInfo>> GetReminderList();
}

public sealed record Tick(string Name, DateTimeOffset Due, DateTimeOffset FiredAt, int Missed);

public sealed class ReminderGrainState
{
    public List<Tick> Ticks { get; set; } = [];
}

[GrainType("reminder")]
public sealed class ReminderGrain : Grain<ReminderGrainState>, IReminderGrain, IRemindable
{
    public Task StartInterval(string name, TimeSpan dueTime, TimeSpan period, MisfirePolicy misfire) =>
        RegisterOrUpdateReminder(name, dueTime, period, misfire);

    public Task StartCron(string name, string expression, string timeZone, MisfirePolicy misfire) =>
        RegisterOrUpdateReminder(name, ReminderSchedule.Cron(expression, timeZone), misfire);

    public Task Stop(string name) => UnregisterReminder(name);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        State.Ticks.Add(new Tick(reminderName, status.DueTime, status.FiredAt, status.MissedCount));
        return Task.CompletedTask;
    }

    public Task<List<Tick>> GetTicks() => Task.FromResult(State.Ticks);

    public Task<IReadOnlyList<ReminderInfo>> GetReminderList() => GetReminders();
}
