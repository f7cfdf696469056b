namespace Orchestrator.Runtime.Tests.Infrastructure;

/// <summary>
/// A clock tests move by hand; timers created on it fire when it passes their due time. Its timestamps follow it too
/// (<see cref="GetTimestamp"/> is its time in ticks): Orleans' grain timers check the elapsed timestamp before they
/// tick, and would drop a tick the clock was moved to while real time stood still.
/// </summary>
/// <param name="start">The clock's first reading.</param>
/// <param name="fireOnThreadPool">
/// False (default): due callbacks run on the thread that moves the clock, before <see cref="SetUtcNow"/> returns. True:
/// they are queued to the thread pool, as a real timer's are; use it when the callbacks are Orleans' own (the reminder
/// service's list refresh continues inline into work that waits on the clock being moved, and the move never returns).
/// </param>
public sealed class ManualTimeProvider(DateTimeOffset start, bool fireOnThreadPool = false) : TimeProvider
{
    private readonly Lock _sync = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_sync)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public void Advance(TimeSpan by) => SetUtcNow(GetUtcNow() + by);

    public void SetUtcNow(DateTimeOffset to)
    {
        List<ManualTimer> due;
        lock (_sync)
        {
            if (to < _now)
            {
                throw new ArgumentOutOfRangeException(nameof(to), "The manual clock only moves forward.");
            }
            _now = to;
            due = [.. _timers.Where(t => t.DueAt <= to)];
        }
        foreach (var timer in due)
        {
            if (fireOnThreadPool)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Timer.Fire(state.To), (Timer: timer, To: to), preferLocal: false);
            }
            else
            {
                timer.Fire(to);
            }
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
        private TimeSpan _period;

        public DateTimeOffset DueAt { get; private set; } = DateTimeOffset.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            DateTimeOffset now;
            lock (clock._sync)
            {
                _period = period;
                now = clock._now;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
                if (!clock._timers.Contains(this))
                {
                    clock._timers.Add(this);
                }
            }
            if (DueAt <= now)
            {
                // Due already (a due time of zero, or one computed from a clock moved meanwhile): a real timer fires at
                // once, on the thread pool. Waiting for the next move would lose the tick when no move follows.
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Timer.Fire(state.Now), (Timer: this, Now: now), preferLocal: false);
            }
            return true;
        }

        public void Fire(DateTimeOffset now)
        {
            while (true)
            {
                lock (clock._sync)
                {
                    if (DueAt > now)
                    {
                        return;
                    }
                    DueAt = _period <= TimeSpan.Zero || _period == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : DueAt + _period;
                }
                callback(state);
            }
        }

        public void Dispose()
        {
            lock (clock._sync)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
