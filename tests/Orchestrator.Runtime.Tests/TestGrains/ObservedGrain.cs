using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Tests.TestGrains;

/// <summary>A grain that hears of its own dead letters (<see cref="IDeadLetterObserver"/>) and keeps what it heard.</summary>
public interface IObservedGrain : IGrainWithStringKey
{
    /// <summary>Fails when <see cref="ObservedCommand.What"/> starts with "bad"; its notice fails too for "bad-notice".</summary>
    Task Do(ObservedCommand command);

    /// <summary>Arms a reminder whose ticks always fail.</summary>
    Task ArmFailingReminder(string name, TimeSpan due);

    Task<List<HeardNotice>> GetNotices();
}

public sealed record ObservedCommand(string What);

public sealed record HeardNotice(long MessageId, string Method, string? Reminder, string Error, int Attempts, DateTimeOffset ParkedAt, string? What);

public sealed class ObservedState
{
    public List<HeardNotice> Notices { get; set; } = [];
}

[GrainType("observed")]
public sealed class ObservedGrain : Grain<ObservedState>, IObservedGrain, IRemindable, IDeadLetterObserver
{
    public Task Do(ObservedCommand command) =>
        command.What.StartsWith("bad", StringComparison.Ordinal) ? throw new InvalidOperationException($"failing on purpose: {command.What}") : Task.CompletedTask;

    public Task ArmFailingReminder(string name, TimeSpan due) => RegisterOrUpdateReminder(name, due, TimeSpan.FromDays(1));

    public Task ReceiveReminder(string reminderName, TickStatus status) => throw new InvalidOperationException($"reminder {reminderName} failing on purpose");

    public Task OnDeadLetter(DeadLetterNotice notice)
    {
        var what = notice.Argument<ObservedCommand>()?.What;
        if (what == "bad-notice")
        {
            throw new InvalidOperationException("the notice fails too");
        }
        State.Notices.Add(new HeardNotice(notice.MessageId, notice.Method, notice.Reminder, notice.Error, notice.Attempts, notice.ParkedAt, what));
        return Task.CompletedTask;
    }

    public Task<List<HeardNotice>> GetNotices() => Task.FromResult(State.Notices);
}
