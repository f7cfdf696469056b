using Microsoft.Extensions.Logging;

namespace Orchestrator.Agent;

public sealed partial class AgentRunner
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Killed {Count} process group(s) left running by a previous agent (state directory {Directory})")]
        public static partial void OrphansKilled(ILogger logger, int count, string directory);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Stopped before the first registration succeeded")]
        public static partial void StoppedBeforeRegistering(ILogger logger);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Agent session {SessionId} running for {HostCount} host(s), capacity {Capacity}")]
        public static partial void Running(ILogger logger, string sessionId, int hostCount, int capacity);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Draining: no new work; waiting for {Held} held assignment(s) to finish and report")]
        public static partial void Draining(ILogger logger, int held);

        [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Drained: every assignment finished and was reported")]
        public static partial void Drained(ILogger logger);

        [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Drain time is up: killing {Count} running assignment(s); each is reported as failed, killed by the stop")]
        public static partial void KillingOnStop(ILogger logger, int count);

        [LoggerMessage(EventId = 1009, Level = LogLevel.Warning,
            Message = "Stopped without waiting further: {Held} assignment(s) not reported; the server ends them when this host's next agent session registers")]
        public static partial void Abandoned(ILogger logger, int held);

        [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Registering {HostCount} host(s) with {Server}")]
        public static partial void Registering(ILogger logger, int hostCount, Uri server);

        [LoggerMessage(EventId = 1006, Level = LogLevel.Critical, Message = "An agent loop ended unexpectedly; stopping")]
        public static partial void LoopEnded(ILogger logger, Exception? exception);
    }
}
