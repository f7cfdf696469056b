using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Retention;

/// <summary>
/// How long finished work stays in the database, and how the retention pass that removes the rest runs
/// (<c>docs/retention.md</c>). Each time is counted back from the pass's start on the orchestrator clock; zero keeps
/// that kind forever. Set as <c>ORCH_*</c> variables or <c>--kebab-case</c> arguments of the silo (README).
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>Shortest time to keep anything, when set: a slip of the unit (00:00:30) must not empty the database.</summary>
    public static readonly TimeSpan MinimumRetention = TimeSpan.FromHours(1);

    /// <summary>
    /// Finished task instances (with their steps, targets and logs) older than this after they finished are archived
    /// and deleted. Default 30 days; 0 keeps them. An instance whose plan sets <c>ttlSecondsAfterFinished</c> keeps
    /// that instead. <c>ORCH_INSTANCE_RETENTION</c>, <c>--instance-retention 30.00:00:00</c>.
    /// </summary>
    public TimeSpan InstanceRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Log days (UTC, by when a chunk was written) wholly older than this are dropped — whole daily partitions on
    /// PostgreSQL. Not archived on their own: the logs of an instance are archived with it. Default 30 days; 0 keeps
    /// them. Shorter than <see cref="InstanceRetention"/> drops the logs of instances still kept.
    /// <c>ORCH_LOG_RETENTION</c>, <c>--log-retention</c>.
    /// </summary>
    public TimeSpan LogRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Audit entries older than this are archived and deleted. Default 30 days; 0 keeps them. <c>ORCH_AUDIT_RETENTION</c>.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Uploaded files last uploaded longer ago than this, and referenced by no plan version, no unfinished instance
    /// and no schedule's plan, are deleted (not archived). Default 30 days; 0 keeps them. <c>ORCH_FILE_RETENTION</c>.
    /// </summary>
    public TimeSpan FileRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Whether instances and audit entries are written to the archive before they are deleted. Default true: nothing
    /// leaves the database unread unless this is turned off. <c>ORCH_ARCHIVE</c>, <c>--archive false</c>.
    /// </summary>
    public bool Archive { get; set; } = true;

    /// <summary>
    /// The archive's directory (relative: to the silo's working directory), which must be on storage that outlives
    /// the silo (a volume). Files are gzip-compressed JSON lines, one set per UTC day:
    /// <c>instances/2026-11-04.000012-0003.jsonl.gz</c>, <c>audit/2026-11-04.000012-0007.jsonl.gz</c>. Default
    /// <c>data/archive</c>. Not used when <see cref="ArchiveBucket"/> is set. <c>ORCH_ARCHIVE_DIRECTORY</c>.
    /// </summary>
    public string ArchiveDirectory { get; set; } = Path.Combine("data", "archive");

    /// <summary>
    /// An S3-compatible bucket to archive to instead of <see cref="ArchiveDirectory"/>, as one path-style URL: the
    /// endpoint, the bucket and an optional key prefix (<c>https://s3.eu-west-1.amazonaws.com/my-bucket/orch</c>,
    /// <c>http://minio:9000/archive</c>). The same object names as on a directory, under the prefix. Default empty (the
    /// directory). <c>ORCH_ARCHIVE_BUCKET</c>.
    /// </summary>
    public string ArchiveBucket { get; set; } = "";

    /// <summary>The bucket's region, part of every request's signature. Default <c>us-east-1</c>. <c>ORCH_ARCHIVE_BUCKET_REGION</c>.</summary>
    public string ArchiveBucketRegion { get; set; } = "us-east-1";

    /// <summary>The access key id requests to the bucket are signed with. <c>ORCH_ARCHIVE_BUCKET_ACCESS_KEY</c>.</summary>
    public string ArchiveBucketAccessKey { get; set; } = "";

    /// <summary>
    /// The secret access key (a secret: give it as <c>ORCH_ARCHIVE_BUCKET_SECRET_KEY_FILE</c>, a file mounted from a
    /// Kubernetes Secret; it is never shown in the status, logs or errors). <c>ORCH_ARCHIVE_BUCKET_SECRET_KEY</c>.
    /// </summary>
    public string ArchiveBucketSecretKey { get; set; } = "";

    /// <summary>
    /// A host whose agent has been offline this long (since it was last seen) leaves the host inventory; its grain keeps
    /// its history (registered, last seen, removed at), and it comes back when an agent registers it again. Checked by
    /// the host's own wake-up on the orchestrator clock, not by the retention pass. Default 7 days; 0 never removes
    /// hosts. <c>ORCH_STALE_HOST_AFTER</c>, <c>--stale-host-after 7.00:00:00</c>.
    /// </summary>
    public TimeSpan StaleHostAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Time between the start of one pass and the next. Default 1 h. <c>ORCH_RETENTION_INTERVAL</c>.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Records per batch: instances archived and deleted together, audit entries per delete, files per delete,
    /// target rows or log chunks read or deleted at once. Default 500; smaller keeps each transaction shorter.
    /// <c>ORCH_RETENTION_BATCH_SIZE</c>.
    /// </summary>
    public int RetentionBatchSize { get; set; } = 500;

    /// <summary>
    /// Pause after each batch, on the orchestrator clock, so that a pass over a big backlog leaves the database to
    /// live work. Default 200 ms. <c>ORCH_RETENTION_BATCH_PAUSE</c>.
    /// </summary>
    public TimeSpan RetentionBatchPause { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Test hook: awaited after a part's files are written, before they are recorded written (the part's first file name).</summary>
    internal Func<string, CancellationToken, Task>? BeforeRecordingWritten { get; set; }

    /// <summary>Test hook: awaited after a part is archived and recorded, before its records are deleted (the part's first file name).</summary>
    internal Func<string, CancellationToken, Task>? BeforeDeleting { get; set; }

    /// <summary>The problems with these options, each naming the option and the value (none when valid).</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(InstanceRetention), InstanceRetention), (nameof(LogRetention), LogRetention),
            (nameof(AuditRetention), AuditRetention), (nameof(FileRetention), FileRetention),
        })
        {
            if (value != TimeSpan.Zero && (value < MinimumRetention || value > TimeSpan.FromDays(36500)))
            {
                yield return $"{name}: {value} is outside 01:00:00 to 36500.00:00:00; 0 keeps them forever.";
            }
        }
        if (StaleHostAfter != TimeSpan.Zero && (StaleHostAfter < MinimumRetention || StaleHostAfter > TimeSpan.FromDays(36500)))
        {
            yield return $"StaleHostAfter: {StaleHostAfter} is outside 01:00:00 to 36500.00:00:00; 0 never removes hosts.";
        }
        if (ArchiveBucket.Length > 0)
        {
            if (BucketAddress.Parse(ArchiveBucket, out var problem) is null)
            {
                yield return $"ArchiveBucket: {problem}.";
            }
            if (!System.Text.RegularExpressions.Regex.IsMatch(ArchiveBucketRegion, "^[a-z0-9-]{1,32}$"))
            {
                yield return $"ArchiveBucketRegion: '{ArchiveBucketRegion}' is not a region name such as us-east-1 (lowercase letters, digits and hyphens).";
            }
            if (string.IsNullOrWhiteSpace(ArchiveBucketAccessKey) || string.IsNullOrWhiteSpace(ArchiveBucketSecretKey))
            {
                yield return "ArchiveBucketAccessKey, ArchiveBucketSecretKey: both are required with ArchiveBucket (the secret best as ORCH_ARCHIVE_BUCKET_SECRET_KEY_FILE).";
            }
        }
        else if (ArchiveBucketAccessKey.Length > 0 || ArchiveBucketSecretKey.Length > 0)
        {
            yield return "ArchiveBucket: required when ArchiveBucketAccessKey or ArchiveBucketSecretKey is set (the bucket's URL), or remove the keys.";
        }
        if (Archive && ArchiveBucket.Length == 0 && string.IsNullOrWhiteSpace(ArchiveDirectory))
        {
            yield return "ArchiveDirectory: required while Archive is true (a directory on a volume), or set Archive to false.";
        }
        else if (ArchiveDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            yield return $"ArchiveDirectory: '{ArchiveDirectory}' is not a valid path.";
        }
        if (RetentionInterval < TimeSpan.FromMinutes(1) || RetentionInterval > TimeSpan.FromDays(7))
        {
            yield return $"RetentionInterval: {RetentionInterval} is outside 00:01:00 to 7.00:00:00.";
        }
        if (RetentionBatchSize is < 1 or > 10_000)
        {
            yield return $"RetentionBatchSize: {RetentionBatchSize} is outside 1 to 10000.";
        }
        if (RetentionBatchPause < TimeSpan.Zero || RetentionBatchPause > TimeSpan.FromMinutes(1))
        {
            yield return $"RetentionBatchPause: {RetentionBatchPause} is outside 00:00:00 to 00:01:00.";
        }
    }

    /// <summary>Each kind's time as the status shows it (null: kept forever).</summary>
    public RetentionSettings Describe() => new(Kept(InstanceRetention), Kept(LogRetention), Kept(AuditRetention), Kept(FileRetention),
        Archive, Archive && ArchiveBucket.Length == 0 ? ArchiveDirectory : null, RetentionInterval, RetentionBatchSize, RetentionBatchPause,
        Archive && BucketAddress.Parse(ArchiveBucket, out _) is { } bucket ? bucket.ToString() : null);

    /// <summary>The archive these options name: the bucket when one is set, else the directory.</summary>
    internal IArchive OpenArchive(TimeProvider wallClock) =>
        ArchiveBucket.Length > 0 && BucketAddress.Parse(ArchiveBucket, out var problem) is { } bucket
            ? new ArchiveBucket(new BucketClient(bucket, ArchiveBucketRegion, ArchiveBucketAccessKey, ArchiveBucketSecretKey, wallClock, BucketClient.SharedHttp),
                Path.GetTempPath())
            : new ArchiveDirectory(ArchiveDirectory);

    private static TimeSpan? Kept(TimeSpan value) => value == TimeSpan.Zero ? null : value;
}
