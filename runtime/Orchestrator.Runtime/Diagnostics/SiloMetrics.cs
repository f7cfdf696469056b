using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Orchestrator.Runtime.Diagnostics;

/// <summary>
/// A silo's instruments on the <c>Orchestrator.Runtime</c> meter, each tagged with the silo name: activations by
/// grain type, turns, commit latency and batch size, inbox depth, reminders fired and dead letters. The dashboard
/// and OpenTelemetry read them; tests read them with a <see cref="MeterListener"/>.
/// </summary>
public sealed class SiloMetrics : IDisposable
{
    public const string MeterName = "Orchestrator.Runtime";

    private readonly Meter _meter;
    private readonly KeyValuePair<string, object?> _silo;
    private readonly ConcurrentDictionary<string, int> _activations = new();
    private readonly Counter<long> _turns;
    private readonly Histogram<double> _commitLatency;
    private readonly Histogram<int> _commitBatch;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _remindersFired;
    private readonly Counter<long> _fenced;
    private long _fencedCount;
    private long _inboxDepth;

    public SiloMetrics(string siloName)
    {
        _meter = new Meter(MeterName);
        _silo = new KeyValuePair<string, object?>("silo", siloName);
        _turns = _meter.CreateCounter<long>("orch.turns", "{turn}", "Turns committed");
        _commitLatency = _meter.CreateHistogram<double>("orch.commit.duration", "ms", "Time to commit one batch of turns");
        _commitBatch = _meter.CreateHistogram<int>("orch.commit.batch_size", "{turn}", "Turns per commit transaction");
        _deadLetters = _meter.CreateCounter<long>("orch.dead_letters", "{message}", "Messages parked as dead letters");
        _remindersFired = _meter.CreateCounter<long>("orch.reminders.fired", "{firing}", "Reminder firings applied");
        _fenced = _meter.CreateCounter<long>("orch.commits.fenced", "{turn}", "Turns refused because the silo no longer held the shard's epoch");
        _meter.CreateObservableGauge("orch.activations", ObserveActivations, "{activation}", "Activations by grain type");
        _meter.CreateObservableGauge("orch.inbox.depth", () => new Measurement<long>(Interlocked.Read(ref _inboxDepth), _silo), "{message}", "Pending messages in the silo's shards");
    }

    /// <summary>Turns committed since start, all grain types (for tests and benchmarks).</summary>
    public long TurnsCommitted => Interlocked.Read(ref _turnCount);

    private long _turnCount;

    internal void AddTurns(string grainType, int turns)
    {
        Interlocked.Add(ref _turnCount, turns);
        _turns.Add(turns, _silo, new("grain_type", grainType));
    }

    /// <summary>Turns whose commit was refused by the shard fence since start.</summary>
    public long FencedCommits => Interlocked.Read(ref _fencedCount);

    internal void Fenced()
    {
        Interlocked.Increment(ref _fencedCount);
        _fenced.Add(1, _silo);
    }

    internal void Committed(int batchSize, TimeSpan latency)
    {
        _commitLatency.Record(latency.TotalMilliseconds, _silo);
        _commitBatch.Record(batchSize, _silo);
    }

    internal void Activated(string grainType) => _activations.AddOrUpdate(grainType, 1, (_, n) => n + 1);

    internal void Deactivated(string grainType) => _activations.AddOrUpdate(grainType, 0, (_, n) => Math.Max(0, n - 1));

    internal void DeadLettered(string grainType) => _deadLetters.Add(1, _silo, new("grain_type", grainType));

    internal void RemindersFired(int count) => _remindersFired.Add(count, _silo);

    internal void InboxDepth(long depth) => Interlocked.Exchange(ref _inboxDepth, depth);

    private IEnumerable<Measurement<int>> ObserveActivations() =>
        _activations.Select(kv => new Measurement<int>(kv.Value, _silo, new("grain_type", kv.Key)));

    public void Dispose() => _meter.Dispose();
}
