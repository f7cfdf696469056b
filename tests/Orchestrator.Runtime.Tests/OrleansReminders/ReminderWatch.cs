using Orleans.Reminders.Diagnostics;
using Orleans.Runtime;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Runtime.Tests.OrleansReminders;

/// <summary>
/// Reads Orleans' reminder diagnostics (<see cref="ReminderEvents"/>, process-wide, so filtered by grain) to know when a
/// reminder's next tick is armed on the clock: a test advances the manual clock only then, or the advance would pass
/// before the reminder's timer exists and the tick would wait for the next advance.
/// </summary>
public sealed class ReminderWatch : IObserver<ReminderEvents.ReminderEvent>, IObserver<ReminderEvents.ReminderServiceEvent>, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly Lock _sync = new();
    private readonly List<ReminderEvents.ReminderEvent> _events = [];
    private readonly List<ReminderEvents.ReminderServiceEvent> _serviceEvents = [];
    private readonly IDisposable _reminders;
    private readonly IDisposable _services;

    public ReminderWatch()
    {
        _reminders = ReminderEvents.AllEvents.Subscribe(this);
        _services = ReminderEvents.ServiceEvents.Subscribe(this);
    }

    /// <summary>How many times the reminder's wait for its next tick has been armed so far.</summary>
    public int ArmedCount(GrainId grain, string reminder) => Count<ReminderEvents.LocalReminderTickWaitArmed>(grain, reminder);

    public int Count<T>(GrainId grain, string reminder) where T : ReminderEvents.ReminderEvent
    {
        lock (_sync)
        {
            return _events.OfType<T>().Count(e => e.GrainId == grain && e.ReminderName == reminder);
        }
    }

    /// <summary>Waits until the reminder's wait has been armed more than <paramref name="after"/> times.</summary>
    public Task<int> WaitArmedAsync(GrainId grain, string reminder, int after) => WaitAsync<ReminderEvents.LocalReminderTickWaitArmed>(grain, reminder, after);

    public Task<int> WaitAsync<T>(GrainId grain, string reminder, int after) where T : ReminderEvents.ReminderEvent =>
        Eventually.Until(() => Task.FromResult(Count<T>(grain, reminder)), n => n > after, Deadline, $"{typeof(T).Name} #{after + 1} of {grain}/{reminder}");

    /// <summary>Waits until the reminder service of <paramref name="silo"/> has done its first read of the table.</summary>
    public Task WaitServiceStartedAsync(SiloAddress silo) => Eventually.Until(
        () =>
        {
            lock (_sync)
            {
                return Task.FromResult(_serviceEvents.OfType<ReminderEvents.ReminderServiceStarted>().Any(e => e.SiloAddress == silo));
            }
        },
        started => started, Deadline, $"the reminder service of {silo} to start");

    void IObserver<ReminderEvents.ReminderEvent>.OnNext(ReminderEvents.ReminderEvent value)
    {
        lock (_sync)
        {
            _events.Add(value);
        }
    }

    void IObserver<ReminderEvents.ReminderServiceEvent>.OnNext(ReminderEvents.ReminderServiceEvent value)
    {
        lock (_sync)
        {
            _serviceEvents.Add(value);
        }
    }

    void IObserver<ReminderEvents.ReminderEvent>.OnCompleted()
    {
    }

    void IObserver<ReminderEvents.ReminderEvent>.OnError(Exception error)
    {
    }

    void IObserver<ReminderEvents.ReminderServiceEvent>.OnCompleted()
    {
    }

    void IObserver<ReminderEvents.ReminderServiceEvent>.OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _reminders.Dispose();
        _services.Dispose();
    }
}
