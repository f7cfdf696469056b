using Microsoft.Extensions.Logging;

namespace Orchestrator.Grains.Retention;

public sealed partial class RetentionGrain
{
    /// <summary>Retention's log lines, events 4500–4519.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 4500, Level = LogLevel.Information,
            Message = "Retention pass {Pass} started: instances finished before {Instances}, log days before {Logs}, audit entries before {Audit}, files stored before {Files} (none: kept forever)")]
        public static partial void PassStarted(ILogger logger, long pass, DateTimeOffset? instances, DateTimeOffset? logs, DateTimeOffset? audit, DateTimeOffset? files);

        [LoggerMessage(EventId = 4501, Level = LogLevel.Information,
            Message = "Retention pass {Pass} finished in {Duration}: archived {Archived}; deleted {Deleted}; {Files} archive file(s), {Errors} error(s)")]
        public static partial void PassFinished(ILogger logger, long pass, TimeSpan duration, string archived, string deleted, int files, int errors);

        [LoggerMessage(EventId = 4502, Level = LogLevel.Information, Message = "Retention pass {Pass}: archive file {File} written ({Records} records, {Lines} lines)")]
        public static partial void ArchiveWritten(ILogger logger, long pass, string file, long records, long lines);

        [LoggerMessage(EventId = 4503, Level = LogLevel.Information, Message = "Retention pass {Pass}: {Count} {Kind} deleted")]
        public static partial void Deleted(ILogger logger, long pass, string kind, long count);

        [LoggerMessage(EventId = 4504, Level = LogLevel.Information, Message = "Retention pass {Pass}: {Days} log day(s) dropped, {First} to {Last}")]
        public static partial void LogDaysDropped(ILogger logger, long pass, int days, string first, string last);

        [LoggerMessage(EventId = 4505, Level = LogLevel.Information, Message = "Retention pass {Pass}: {Deleted} unreferenced file(s) deleted, {Kept} old file(s) kept (referenced)")]
        public static partial void FilesCollected(ILogger logger, long pass, int deleted, int kept);

        [LoggerMessage(EventId = 4506, Level = LogLevel.Error, Message = "Retention pass {Pass} failed in phase {Phase}; it resumes from its checkpoint")]
        public static partial void StepFailed(ILogger logger, long pass, string phase, Exception exception);
    }
}
