using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Orchestrator.Grains.Targets;

public sealed partial class HostTargetGrain
{
    private ILogger? _logger;

    private ILogger Logger => _logger ??= ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger<HostTargetGrain>() ?? (ILogger)NullLogger.Instance;

    private static partial class Log
    {
        [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "Target {Target}: the log of run {Run} could not be read for its output digest; it groups as without output")]
        public static partial void OutputUnread(ILogger logger, string target, int run, Exception exception);
    }
}
