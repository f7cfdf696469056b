using System.Diagnostics.Metrics;

namespace Orchestrator.Runtime.Telemetry;

/// <summary>
/// The instruments the runtime and the grains record into (meter <see cref="OrchestratorTelemetry.Name"/>). Statuses
/// are counted as <b>transitions</b> (a counter per status reached), not as gauges of what is in memory: grains move
/// between silos and leave memory when done, so only the database knows how many runs are in each status at once, while
/// a transition is counted exactly where it happens and sums across silos (<c>sum by (status) (rate(…))</c>).
/// Latencies are in seconds, on the orchestrator clock.
/// </summary>
public static class OrchestratorMetrics
{
    private static readonly Meter Meter = OrchestratorTelemetry.Meter;

    // First: static initializers run in the order written, and the histograms below read it.
    private static readonly InstrumentAdvice<double> LatencyAdvice = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    };

    /// <summary>Task instances reaching a status (<c>status</c>: running, succeeded, failed, cancelled, ...).</summary>
    public static readonly Counter<long> Instances = Meter.CreateCounter<long>("orchestrator.instances", "{instance}",
        "Task instances reaching a status (transitions).");

    /// <summary>Step attempts reaching a status.</summary>
    public static readonly Counter<long> Steps = Meter.CreateCounter<long>("orchestrator.steps", "{step}", "Step attempts reaching a status (transitions).");

    /// <summary>Host targets reaching a final status for a step attempt (one per target and attempt).</summary>
    public static readonly Counter<long> Targets = Meter.CreateCounter<long>("orchestrator.targets", "{target}",
        "Host targets reaching a final status for a step attempt (transitions).");

    /// <summary>Assignments handed to agents (one per run of a target).</summary>
    public static readonly Counter<long> Assignments = Meter.CreateCounter<long>("orchestrator.assignments", "{assignment}",
        "Assignments written for agents (one per run of a host target).");

    /// <summary>From an assignment written to the agent's started event, or its finished one when it sent none (it picked it up).</summary>
    public static readonly Histogram<double> DispatchLatency = Meter.CreateHistogram("orchestrator.dispatch.latency", "s",
        "From an assignment written to its agent's started (or finished) event: picked up.", advice: LatencyAdvice);

    /// <summary>From the agent's finished time to the host target applying the report (the step counts it a notice later).</summary>
    public static readonly Histogram<double> ReportLatency = Meter.CreateHistogram("orchestrator.report.latency", "s",
        "From the agent's finished time to its host target applying the report.", advice: LatencyAdvice);

    /// <summary>Status hook deliveries by <c>outcome</c>: ok, failed (to be retried), parked (out of retries).</summary>
    public static readonly Counter<long> HookDeliveries = Meter.CreateCounter<long>("orchestrator.hook.deliveries", "{delivery}",
        "Status hook deliveries by outcome: ok, failed (retried), parked (out of retries).");

    /// <summary>Messages and wake-ups parked as dead letters (<c>method</c>: the interface method).</summary>
    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("orchestrator.dead_letters.parked", "{message}",
        "Messages and wake-ups parked as dead letters.");

    /// <summary>One group-committed transaction of grain writes: its duration.</summary>
    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram("orchestrator.storage.commit.duration", "s",
        "Duration of one group-committed transaction of grain state writes.", advice: LatencyAdvice);

    /// <summary>One group-committed transaction: how many grain writes it carried.</summary>
    public static readonly Histogram<int> CommitBatchSize = Meter.CreateHistogram("orchestrator.storage.commit.batch_size", "{write}",
        "Grain state writes carried by one group-committed transaction.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000] });

    /// <summary>Group-committed transactions that failed (every write of the batch retries).</summary>
    public static readonly Counter<long> CommitFailures = Meter.CreateCounter<long>("orchestrator.storage.commit.failures", "{transaction}",
        "Group-committed transactions that failed (their writes are retried by their grains).");

    private static long _outboxPending;
    private static long _noticesPending;

    /// <summary>Outbox messages of this silo's activations not yet acknowledged (a queue depth).</summary>
    public static readonly ObservableGauge<long> OutboxPending = Meter.CreateObservableGauge("orchestrator.outbox.pending",
        () => Interlocked.Read(ref _outboxPending), "{message}", "Outbox messages of this silo's grain activations not yet acknowledged.");

    /// <summary>Notices (calls after a write, in memory) of this silo's activations not yet delivered.</summary>
    public static readonly ObservableGauge<long> NoticesPending = Meter.CreateObservableGauge("orchestrator.notices.pending",
        () => Interlocked.Read(ref _noticesPending), "{notice}", "Notices of this silo's grain activations not yet delivered.");

    /// <summary>Creates the instruments (a host that exports them calls it once at start, so every series exists from the first scrape).</summary>
    public static void EnsureCreated() => _ = Instances;

    internal static void AddOutboxPending(long delta) => Interlocked.Add(ref _outboxPending, delta);

    internal static void AddNoticesPending(long delta) => Interlocked.Add(ref _noticesPending, delta);

    /// <summary>A status tag without boxing: the value is a string.</summary>
    public static KeyValuePair<string, object?> Status(string status) => new("status", status);
}
