namespace Orchestrator.Runtime.Durable;

/// <summary>How durable grains persist, deliver their outbox, dedupe, and how the sweeper re-drives them.</summary>
public sealed class DurableOptions
{
    /// <summary>
    /// The keyed <c>IGrainStorage</c> durable grains write to, unless a grain class names another with
    /// <c>[StorageProvider]</c>. Default <c>"Default"</c> (Orleans' default storage name).
    /// </summary>
    public string StorageName { get; set; } = "Default";

    /// <summary>
    /// Attempts at delivering one outbox message (or firing one wake-up) before it is parked as a dead letter.
    /// Default 5. Fewer parks sooner on a receiver's passing trouble; more keeps a broken message retrying longer.
    /// </summary>
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>
    /// How long a message (or wake-up) whose failures are transient — the receiver's database or silo unavailable, a
    /// timeout (<see cref="DeliveryFailures.IsTransient"/>) — keeps being retried, at most <see cref="RetryBackoffMax"/>
    /// apart, before it is parked even after <see cref="MaxDeliveryAttempts"/>. Default 10 min: a database fail-over or
    /// restart does not fail runs; a receiver that can never write is still parked, and what it was part of ends.
    /// </summary>
    public TimeSpan TransientFailureTolerance { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Delay before the second attempt; it doubles per attempt up to <see cref="RetryBackoffMax"/>, ±20% jitter. Default 1 s.</summary>
    public TimeSpan RetryBackoffBase { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between two attempts. Default 1 min.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an acknowledged message may stay in the stored outbox before a write of its own removes it, when no
    /// other write of the grain comes first (which carries the removal). Default 2 s, well under <see cref="SweepGrace"/>:
    /// a grain whose last message was just acknowledged (a target that reported its end) does not write again only for
    /// that at the busiest moment of a fan-out, and those writes share transactions later. If the silo dies meanwhile
    /// the stored message is sent again and its receiver dedupes it. Zero writes at once; at most 1 minute.
    /// </summary>
    public TimeSpan AckWriteDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Deliveries one activation has in flight at once, across its targets (one target gets one at a time, in order).
    /// Default 32: enough to fan out quickly, few enough not to flood a silo from one grain.
    /// </summary>
    public int MaxConcurrentDeliveries { get; set; } = 32;

    /// <summary>
    /// Dedupe keys a receiver keeps (the most recent ones). Default 1,000. A re-send whose key was pushed out is applied
    /// again, so this must cover the keyed messages a grain receives between a send and its last re-send (minutes);
    /// high fan-in methods are <see cref="DomainIdempotentAttribute"/> and use none.
    /// </summary>
    public int AppliedKeysLimit { get; set; } = 1000;

    /// <summary>
    /// How long a receiver keeps a dedupe key at most, even under <see cref="AppliedKeysLimit"/>. Default 24 h: far
    /// longer than any re-send (the sender retries within minutes, the sweeper within <see cref="SweepGrace"/>).
    /// </summary>
    public TimeSpan AppliedKeysRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the sweeper looks for due wake-ups and stuck outboxes (on the orchestrator clock). Default 5 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long past its due time a wake-up or an outbox message may wait before the sweeper wakes its grain. Default
    /// 10 s: a live activation handles its own on time; the sweeper is for grains whose silo died or that were
    /// collected with work pending.
    /// </summary>
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Index rows the sweeper reads per query. Default 500.</summary>
    public int SweepBatchSize { get; set; } = 500;

    /// <summary>Grains the sweeper wakes at once. Default 32.</summary>
    public int SweepConcurrency { get; set; } = 32;

    /// <summary>Period of the Orleans reminder that keeps the sweeper active (Orleans' minimum is 1 min). Default 1 min.</summary>
    public TimeSpan SweeperKeepAlive { get; set; } = TimeSpan.FromMinutes(1);
}
