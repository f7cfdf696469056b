using Microsoft.Extensions.Logging;

namespace Orchestrator.Agent.Transport;

internal sealed partial class AgentApiClient
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
            Message = "Registered session {SessionId} for {HostCount} host(s): heartbeat every {HeartbeatInterval}, poll wait {PollWait} (again: {Again})")]
        public static partial void Registered(ILogger logger, string sessionId, int hostCount, TimeSpan heartbeatInterval, TimeSpan pollWait, bool again);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "The orchestrator API is unreachable ({Endpoint}: {Error}); retrying with back-off")]
        public static partial void Unreachable(ILogger logger, string endpoint, string error);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Retry of {Endpoint} failed: {Error}")]
        public static partial void RetryFailed(ILogger logger, string endpoint, string error);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "The orchestrator API is reachable again after {Outage}")]
        public static partial void Reachable(ILogger logger, TimeSpan outage);

        [LoggerMessage(EventId = 2005, Level = LogLevel.Error,
            Message = "{Endpoint}: the server refused the agent token ({Status}); check --token / ORCH_AGENT_TOKEN. Retrying in {Delay}")]
        public static partial void Unauthorized(ILogger logger, string endpoint, int status, TimeSpan delay);

        [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "{Endpoint}: the server does not know this session ({Status}); registering again")]
        public static partial void SessionUnknown(ILogger logger, string endpoint, int status);

        [LoggerMessage(EventId = 2007, Level = LogLevel.Error, Message = "The server rejected the registration ({Status}: {Detail}); retrying in {Delay}")]
        public static partial void RegistrationRejected(ILogger logger, int status, string detail, TimeSpan delay);
    }
}
