namespace Orchestrator.Silo.Telemetry;

internal static partial class Log
{
    [LoggerMessage(EventId = 9301, Level = LogLevel.Warning, Message = "Could not read the cluster's counts for /metrics; the last ones are served")]
    public static partial void RefreshFailed(ILogger logger, Exception exception);
}
