namespace Orchestrator.Runtime.Durable;

/// <summary>
/// The orchestrator's clock: the one time source grains, the sweeper and the API read. A thin wrapper over a
/// <see cref="TimeProvider"/> (the system clock in production, a manual clock in tests), registered as a singleton and
/// also as the keyed <see cref="TimeProvider"/> Orleans resolves for grain timers
/// (<c>Orleans.Runtime.TimeProviderNames.Grains</c>) and reminders
/// (<c>Orleans.Reminders.ReminderTimeProviderNames.Reminders</c>), so that a test moving the clock moves every
/// wake-up, timer and reminder with it. It is never the silo's unkeyed <see cref="TimeProvider"/>: Orleans' own loops
/// (membership, messaging) must keep real time.
/// </summary>
public sealed class OrchestratorClock(TimeProvider inner) : TimeProvider
{
    /// <summary>The orchestrator clock on real time.</summary>
    public static OrchestratorClock RealTime { get; } = new(TimeProvider.System);

    /// <summary>The clock this one reads.</summary>
    public TimeProvider Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

    public override long GetTimestamp() => Inner.GetTimestamp();

    public override long TimestampFrequency => Inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Inner.CreateTimer(callback, state, dueTime, period);
}
