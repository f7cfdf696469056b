using System.Collections.Concurrent;
using System.Diagnostics;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Bench;

/// <summary>The state of a <see cref="CounterGrain"/>.</summary>
public sealed class CounterState
{
    /// <summary>Sum of every applied <see cref="ICounterGrain.Add"/>.</summary>
    public long Count { get; set; }
}

/// <summary>A counter: one durable command, one read.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    /// <summary>Durable one-way command: adds <paramref name="amount"/> to the counter.</summary>
    Task Add(int amount);

    /// <summary>Reads the committed count.</summary>
    Task<long> GetCount();
}

/// <summary>The throughput and acknowledgement benchmark grain.</summary>
public sealed class CounterGrain : Grain<CounterState>, ICounterGrain
{
    /// <inheritdoc />
    public Task Add(int amount)
    {
        State.Count += amount;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long> GetCount() => Task.FromResult(State.Count);
}

/// <summary>A grain that registers one periodic reminder and records the lateness of each tick.</summary>
public interface IReminderBenchGrain : IGrainWithStringKey
{
    /// <summary>Registers (or replaces) the reminder "tick": first due after 10 s, then every 10 s.</summary>
    Task Start();
}

/// <summary>The reminder benchmark grain; ticks go to <see cref="LatenessCollector"/>.</summary>
public sealed class ReminderBenchGrain : Grain, IReminderBenchGrain, IRemindable
{
    /// <summary>The reminder period (and first due time).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public async Task Start()
    {
        await RegisterOrUpdateReminder("tick", Period, Period);
        LatenessCollector.Registered(GrainKey);
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        LatenessCollector.Record(TimeProvider.GetUtcNow() - status.DueTime);
        return Task.CompletedTask;
    }
}

/// <summary>Process-wide sink of reminder registrations and tick lateness.</summary>
public static class LatenessCollector
{
    private static readonly ConcurrentDictionary<string, bool> RegisteredKeys = new(StringComparer.Ordinal);
    private static readonly ConcurrentQueue<(long Timestamp, double LatenessMs)> Ticks = new();

    /// <summary>Grains whose registering turn has run (it may still be committing).</summary>
    public static int RegisteredCount => RegisteredKeys.Count;

    /// <summary>Notes that a grain ran its registering turn.</summary>
    public static void Registered(string key) => RegisteredKeys.TryAdd(key, true);

    /// <summary>Records one tick's lateness with the <see cref="Stopwatch"/> timestamp it was received at.</summary>
    public static void Record(TimeSpan lateness) => Ticks.Enqueue((Stopwatch.GetTimestamp(), lateness.TotalMilliseconds));

    /// <summary>Lateness (ms) of the ticks received at or after <paramref name="fromTimestamp"/>.</summary>
    public static List<double> LatenessSince(long fromTimestamp) =>
        [.. Ticks.Where(t => t.Timestamp >= fromTimestamp).Select(t => t.LatenessMs)];
}
