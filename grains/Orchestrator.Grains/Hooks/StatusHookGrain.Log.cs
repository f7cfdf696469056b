using Microsoft.Extensions.Logging;

namespace Orchestrator.Grains.Hooks;

public sealed partial class StatusHookGrain
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Status hook {Subject}: revision {Revision} delivered (attempt {Attempts})")]
        public static partial void Delivered(ILogger logger, string subject, long revision, int attempts);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Status hook {Subject}: revision {Revision} attempt {Attempts} failed, next at {NextAttemptAt:O}: {Error}")]
        public static partial void AttemptFailed(ILogger logger, string subject, long revision, int attempts, DateTimeOffset nextAttemptAt, string? error);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Status hook {Subject}: revision {Revision} parked after {Attempts} attempts: {Error}")]
        public static partial void Parked(ILogger logger, string subject, long revision, int attempts, string? error);

        [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "Status hook {Subject}: {Count} parked events replayed by {By}")]
        public static partial void Replayed(ILogger logger, string subject, int count, string by);

        [LoggerMessage(EventId = 5105, Level = LogLevel.Information, Message = "Status hook {Subject}: purged ({Reason}); {Pending} pending and {Parked} parked events dropped")]
        public static partial void Purged(ILogger logger, string subject, int pending, int parked, string reason);

        [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Status hook {Subject}: delivery stopped; the retry wake-up resumes it")]
        public static partial void DeliveryStopped(ILogger logger, string subject, Exception exception);
    }
}
