namespace Orchestrator.GrainInterfaces;

/// <summary>
/// The cluster's one retention grain (key <see cref="Key"/>): on its interval it archives and deletes finished task
/// instances past their time, drops old log days, archives and deletes old audit entries and collects old uploaded
/// files nothing references (<c>docs/retention.md</c>). A pass records its progress in the grain's state and resumes
/// there after a crash.
/// </summary>
public interface IRetentionGrain : IGrainWithStringKey
{
    /// <summary>The only key.</summary>
    public const string Key = "retention";

    /// <summary>Activates the grain (a silo calls it at start) and arms its next pass if none is armed.</summary>
    Task Ping();

    /// <summary>The settings in effect, the pass in progress, the last passes and when the next is due.</summary>
    ValueTask<RetentionStatus> GetStatusAsync();
}

/// <summary>What <c>GET /api/v1/retention</c> shows.</summary>
[GenerateSerializer]
public sealed record RetentionStatus(RetentionSettings Settings, DateTimeOffset? NextDue, RetentionPassView? Current, IReadOnlyList<RetentionPassView> Recent);

/// <summary>The retention settings of the silo running the passes; a null time keeps that kind forever.</summary>
[GenerateSerializer]
public sealed record RetentionSettings(TimeSpan? Instances, TimeSpan? Logs, TimeSpan? Audit, TimeSpan? Files, bool Archive, string? ArchiveDirectory,
    TimeSpan Interval, int BatchSize, TimeSpan BatchPause, string? ArchiveBucket = null);

/// <summary>
/// One pass: when it started and ended, the cutoffs it applies (records older than these go; null: kept forever), the
/// phase it is in, counts archived and deleted per kind (<c>instances</c>, <c>logDays</c>, <c>logChunks</c>,
/// <c>audit</c>, <c>files</c>), the archive files it wrote (relative to the archive directory) and its errors.
/// </summary>
[GenerateSerializer]
public sealed record RetentionPassView(long Number, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Phase,
    DateTimeOffset? InstancesBefore, DateTimeOffset? LogsBefore, DateTimeOffset? AuditBefore, DateTimeOffset? FilesBefore,
    IReadOnlyDictionary<string, long> Archived, IReadOnlyDictionary<string, long> Deleted, IReadOnlyList<string> ArchiveFiles,
    IReadOnlyList<string> Errors);
