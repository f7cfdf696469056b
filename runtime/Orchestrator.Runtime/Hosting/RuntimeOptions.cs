namespace Orchestrator.Runtime.Hosting;

/// <summary>Settings of a silo and its client. Every option can be set as <c>ORCH_&lt;NAME&gt;</c> in the silo host.</summary>
public sealed class RuntimeOptions
{
    /// <summary>"sqlite" (default: one silo, embedded file) or "postgres" (a cluster of silos).</summary>
    public string Store { get; set; } = "sqlite";

    /// <summary>PostgreSQL connection string, or the SQLite connection string / file path. Default: <c>Data Source=data/orchestrator.db</c>.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/orchestrator.db";

    /// <summary>This silo's name in the membership table; default: the machine name.</summary>
    public string SiloName { get; set; } = Environment.MachineName;

    /// <summary>The address other processes reach this silo at (informational until silos talk directly).</summary>
    public string Address { get; set; } = "localhost";

    /// <summary>Shards the grain space is split into; fixed when the cluster is created. Default 256: ≥ 16× the silos you expect.</summary>
    public int ShardCount { get; set; } = 256;

    /// <summary>How long a silo's shard leases last without renewal; a dead silo's shards move after this. Default 15 s.
    /// Shorter fails over faster but renews more often and risks declaring a slow silo dead.</summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Attempts at a message that keeps throwing before it is parked as a dead letter. Default 5.</summary>
    public int MaxMessageAttempts { get; set; } = 5;

    /// <summary>First retry delay of a failed message; doubles per attempt up to <see cref="RetryBackoffMax"/>. Default 1 s.</summary>
    public TimeSpan RetryBackoffBase { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest retry delay of a failed message. Default 1 min.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An activation idle this long is collected. Default 2 min.</summary>
    public TimeSpan IdleCollectionAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the inbox is polled when no wake-up arrives (LISTEN/NOTIFY is only a hint). Default 1 s.</summary>
    public TimeSpan InboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages fetched per inbox query. Default 2,000.</summary>
    public int FetchBatchSize { get; set; } = 2000;

    /// <summary>Messages delivered but not yet applied, per silo, before fetching pauses. Default 20,000.</summary>
    public int MaxInFlight { get; set; } = 20_000;

    /// <summary>Most turns committed in one transaction. Default 1,000.</summary>
    public int CommitBatchSize { get; set; } = 1000;

    /// <summary>Most queued messages of one grain run as consecutive turns and committed together (one state write).
    /// Default 100; 1 commits every turn on its own.</summary>
    public int MaxTurnsPerCommit { get; set; } = 100;

    /// <summary>Commit transactions in flight at once (SQLite always uses one writer). Default 2.</summary>
    public int CommitConcurrency { get; set; } = 2;

    /// <summary>How often due reminders are looked for. Default 200 ms (lateness is bounded by this plus a commit).</summary>
    public TimeSpan ReminderPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Reminders are fired this far ahead of their due time, as messages that become visible at the due
    /// time, so that at the due time only the grain's turn remains. Default 1 s. A reminder removed less than this
    /// before its due time may still deliver that one tick.</summary>
    public TimeSpan ReminderLookahead { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A due time fired later than this counts as missed and follows the reminder's misfire policy. Default 1 min.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>With <see cref="Reminders.MisfirePolicy.FireAll"/>, missed due times older than this are skipped. Default 1 h.</summary>
    public TimeSpan CatchUpWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a message's dedupe key is remembered after it was stored: a resend within this time is ignored,
    /// a later one is applied again. Default 7 days; longer costs a bigger dedupe table.</summary>
    public TimeSpan DedupeRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The drain time: how long a graceful stop may take. The silo waits this long at most for running turns before
    /// releasing its shards anyway; the silo process (SIGTERM) stops within about this long in all, its local agent's
    /// running work included (see the README, "Stopping"). Default 10 s; longer lets more running work finish, shorter
    /// stops sooner (an orchestrator such as Kubernetes must allow at least this plus a few seconds).
    /// </summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most bytes (UTF-8) of chunks one log stream keeps. Past it, one marker chunk on channel "system" says where
    /// the log was cut and every later chunk is dropped, so that one runaway command cannot fill the database.
    /// Default 10 MiB. An <c>int</c> like the other counts, so that the silo host reads it from <c>ORCH_*</c> as one.</summary>
    public int LogMaxBytesPerStream { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest blob <see cref="Blobs.IBlobStore.PutAsync"/> accepts. Blobs live in the database and are read
    /// whole into memory on put and read, so this bounds the memory one request takes. Default 64 MiB.</summary>
    public int MaxBlobBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>A copy, to vary per silo (its name, say) without touching the original.</summary>
    public RuntimeOptions Clone() => (RuntimeOptions)MemberwiseClone();

    /// <summary>Checks every option; returns the problems, each naming the option and the bad value.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Store is not ("sqlite" or "postgres"))
        {
            errors.Add($"Store: '{Store}' is not a store; use 'sqlite' or 'postgres'.");
        }
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add("ConnectionString: must not be empty.");
        }
        if (string.IsNullOrWhiteSpace(SiloName))
        {
            errors.Add("SiloName: must not be empty.");
        }
        if (ShardCount is < 1 or > 65536)
        {
            errors.Add($"ShardCount: {ShardCount} is out of range 1-65536.");
        }
        Positive(errors, nameof(LeaseTime), LeaseTime, TimeSpan.FromMilliseconds(500));
        Positive(errors, nameof(RetryBackoffBase), RetryBackoffBase, TimeSpan.Zero);
        Positive(errors, nameof(RetryBackoffMax), RetryBackoffMax, TimeSpan.Zero);
        Positive(errors, nameof(IdleCollectionAge), IdleCollectionAge, TimeSpan.Zero);
        Positive(errors, nameof(InboxPollInterval), InboxPollInterval, TimeSpan.Zero);
        Positive(errors, nameof(ReminderPollInterval), ReminderPollInterval, TimeSpan.Zero);
        Positive(errors, nameof(MisfireThreshold), MisfireThreshold, TimeSpan.Zero);
        Positive(errors, nameof(CatchUpWindow), CatchUpWindow, TimeSpan.Zero);
        Positive(errors, nameof(DedupeRetention), DedupeRetention, TimeSpan.Zero);
        Positive(errors, nameof(ShutdownDrainTimeout), ShutdownDrainTimeout, TimeSpan.Zero);
        if (MaxMessageAttempts < 1)
        {
            errors.Add($"MaxMessageAttempts: {MaxMessageAttempts} must be at least 1.");
        }
        foreach (var (name, value) in new[] { (nameof(FetchBatchSize), FetchBatchSize), (nameof(MaxInFlight), MaxInFlight), (nameof(CommitBatchSize), CommitBatchSize), (nameof(CommitConcurrency), CommitConcurrency), (nameof(MaxTurnsPerCommit), MaxTurnsPerCommit),
            (nameof(LogMaxBytesPerStream), LogMaxBytesPerStream), (nameof(MaxBlobBytes), MaxBlobBytes) })
        {
            if (value < 1)
            {
                errors.Add($"{name}: {value} must be at least 1.");
            }
        }
        return errors;
    }

    /// <summary>Throws with every problem listed when the options are invalid.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid runtime options: " + string.Join(" ", errors));
        }
    }

    private static void Positive(List<string> errors, string name, TimeSpan value, TimeSpan min)
    {
        if (value <= min)
        {
            errors.Add($"{name}: {value} must be greater than {min}.");
        }
    }
}
