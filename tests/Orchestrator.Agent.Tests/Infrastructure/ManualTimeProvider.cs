namespace Orchestrator.Agent.Tests.Infrastructure;

/// <summary>
/// A clock only the test moves. Timers created on it (<c>Task.Delay</c>, <c>Task.WaitAsync</c> with this provider)
/// fire when it is moved past their due time; <see cref="NextDue"/> tells a test what the code under test waits for,
/// so it can move the clock from one due time to the next and know exactly when everything happened.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<ManualTimer> timers = [];
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    /// <summary>Timestamps follow the manual clock too, so elapsed times measured with them are on the test's clock.</summary>
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>The earliest due time of the timers waiting to fire; null when none waits.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (gate)
            {
                return timers.Where(t => t.DueAt != DateTimeOffset.MaxValue).Select(t => (DateTimeOffset?)t.DueAt).Min();
            }
        }
    }

    public void Advance(TimeSpan by) => SetUtcNow(GetUtcNow() + by);

    /// <summary>Moves the clock to <paramref name="to"/> and fires, on this thread, every timer due by then.</summary>
    public void SetUtcNow(DateTimeOffset to)
    {
        List<ManualTimer> due;
        lock (gate)
        {
            if (to < now)
            {
                throw new ArgumentOutOfRangeException(nameof(to), "The manual clock only moves forward.");
            }
            now = to;
            due = [.. timers.Where(t => t.DueAt <= to).OrderBy(t => t.DueAt)];
        }
        foreach (var timer in due)
        {
            timer.Fire(to);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan period;

        public DateTimeOffset DueAt { get; private set; } = DateTimeOffset.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            // A timer due now fires at the next move of the clock (a move to the same instant will do), never inside
            // the call that creates it.
            lock (clock.gate)
            {
                this.period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : clock.now + dueTime;
                if (!clock.timers.Contains(this))
                {
                    clock.timers.Add(this);
                }
            }
            return true;
        }

        public void Fire(DateTimeOffset at)
        {
            while (true)
            {
                lock (clock.gate)
                {
                    if (DueAt > at)
                    {
                        return;
                    }
                    DueAt = period <= TimeSpan.Zero || period == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : DueAt + period;
                }
                callback(state);
            }
        }

        public void Dispose()
        {
            lock (clock.gate)
            {
                clock.timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
