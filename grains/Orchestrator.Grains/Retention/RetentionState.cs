using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Retention;

/// <summary>The retention grain's state: the pass in progress (its checkpoint) and the last passes.</summary>
public sealed class RetentionState
{
    /// <summary>How many passes have started (the number of the latest).</summary>
    public long Passes { get; set; }

    /// <summary>When the next pass starts (its wake-up).</summary>
    public DateTimeOffset? NextDue { get; set; }

    /// <summary>The pass in progress, with everything needed to resume it; null between passes.</summary>
    public RetentionPass? Current { get; set; }

    /// <summary>The last <see cref="RetentionGrain.RecentPasses"/> passes, newest first.</summary>
    public List<RetentionPassView> Recent { get; set; } = [];
}

/// <summary>Where a pass is.</summary>
public enum RetentionPhase
{
    Instances = 0,
    Logs = 1,
    Audit = 2,
    Files = 3,
    Done = 4,
}

/// <summary>
/// A pass's checkpoint. The cutoffs are fixed when it starts, so a resumed pass selects what the interrupted one
/// selected. <see cref="Pending"/> is the part being archived and deleted (see <see cref="ArchivePart"/>).
/// </summary>
public sealed class RetentionPass
{
    public long Number { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? InstancesBefore { get; set; }

    public DateTimeOffset? LogsBefore { get; set; }

    public DateTimeOffset? AuditBefore { get; set; }

    public DateTimeOffset? FilesBefore { get; set; }

    public RetentionPhase Phase { get; set; }

    /// <summary>Instances: the last index key scanned; files: the last hash scanned.</summary>
    public string? Cursor { get; set; }

    /// <summary>Parts numbered so far in this pass (part numbers make archive names unique and deterministic).</summary>
    public int Parts { get; set; }

    public ArchivePart? Pending { get; set; }

    public Dictionary<string, long> Archived { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> Deleted { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Archive files written (relative names), at most <see cref="RetentionGrain.MaxListed"/> kept.</summary>
    public List<string> Files { get; set; } = [];

    /// <summary>The last errors met (each retried from the checkpoint), at most <see cref="RetentionGrain.MaxListed"/>.</summary>
    public List<string> Errors { get; set; } = [];

    public RetentionPassView View(DateTimeOffset? finishedAt) => new(Number, StartedAt, finishedAt, Phase.ToString().ToLowerInvariant(),
        InstancesBefore, LogsBefore, AuditBefore, FilesBefore,
        new Dictionary<string, long>(Archived, StringComparer.Ordinal), new Dictionary<string, long>(Deleted, StringComparer.Ordinal), [.. Files], [.. Errors]);
}

/// <summary>
/// A batch of records on its way out: chosen and recorded first (<see cref="Written"/> false), then its archive files
/// are written under deterministic names — rewritten whole, with the same content, if the pass resumes before
/// <see cref="Written"/> — then <see cref="Written"/> is recorded, and only then are its records deleted. A pass that
/// resumes with <see cref="Written"/> true never rewrites the files (some records may be gone already): it repeats the
/// deletes, which are idempotent.
/// </summary>
public sealed class ArchivePart
{
    public int Number { get; set; }

    /// <summary>Archive files of the part, one per UTC day its records fall on.</summary>
    public List<ArchiveFile> Files { get; set; } = [];

    /// <summary>Audit: the id range deleted (with the pass's cutoff).</summary>
    public long FirstId { get; set; }

    public long LastId { get; set; }

    /// <summary>Instances: the scan key after which the next batch starts.</summary>
    public string? NextCursor { get; set; }

    public bool Written { get; set; }
}

/// <summary>One archive file (relative name) and, for instances, the instance ids it holds.</summary>
public sealed class ArchiveFile
{
    public string Name { get; set; } = "";

    public List<string> Ids { get; set; } = [];

    public long Records { get; set; }
}
