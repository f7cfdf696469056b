namespace Orchestrator.Runtime.Tests.OrleansReminders;

/// <summary>
/// A clock tests move by hand, for the keyed Orleans clocks (reminders, grain timers). Unlike
/// <c>Infrastructure.ManualTimeProvider</c> it also moves <see cref="GetTimestamp"/>: Orleans measures elapsed time with
/// timestamps (<c>DelayAsync</c>, <c>AsyncTimer</c>), so a clock whose timestamps ran on the wall clock would make those
/// delays wait for real time as well as for the test. Timers whose due time is passed are queued in due-time order to the
/// thread pool, as a real timer's callbacks are: run on the thread that moves the clock, Orleans' reminder service
/// continues inline into work that waits on the very clock being moved, and the advance never returns.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _sync = new();
    private readonly List<Timer> _timers = [];
    private DateTimeOffset _now = start;
    private long _sequence;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_sync)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_sync)
        {
            target = _now + by;
        }
        // One timer at a time, moving the clock to its due time first, so a periodic timer is due again a period after the
        // instant it was due at, as it would be on a real clock.
        while (true)
        {
            Timer? next;
            lock (_sync)
            {
                next = _timers.Where(t => t.DueAt <= target).OrderBy(t => t.DueAt).ThenBy(t => t.Sequence).FirstOrDefault();
                if (next is null)
                {
                    _now = target;
                    return;
                }
                if (next.DueAt > _now)
                {
                    _now = next.DueAt;
                }
                next.Rearm(_now);
            }
            ThreadPool.UnsafeQueueUserWorkItem(static timer => timer.Fire(), next, preferLocal: false);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class Timer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset DueAt { get; private set; } = DateTimeOffset.MaxValue;

        public long Sequence { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._sync)
            {
                _period = period;
                Sequence = ++clock._sequence;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    DueAt = DateTimeOffset.MaxValue;
                    clock._timers.Remove(this);
                    return true;
                }
                DueAt = clock._now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
                if (!clock._timers.Contains(this))
                {
                    clock._timers.Add(this);
                }
            }
            if (dueTime == TimeSpan.Zero)
            {
                ThreadPool.QueueUserWorkItem(_ => clock.Advance(TimeSpan.Zero));
            }
            return true;
        }

        /// <summary>Called under the clock's lock: the next due time, or none for a one-shot timer.</summary>
        public void Rearm(DateTimeOffset now)
        {
            if (_period <= TimeSpan.Zero || _period == Timeout.InfiniteTimeSpan)
            {
                DueAt = DateTimeOffset.MaxValue;
                clock._timers.Remove(this);
            }
            else
            {
                DueAt = now + _period;
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._sync)
            {
                DueAt = DateTimeOffset.MaxValue;
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
