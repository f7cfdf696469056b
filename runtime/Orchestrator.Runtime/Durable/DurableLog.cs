using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Durable;

/// <summary>Logs of durable grains and the sweeper (event ids 7100–7199).</summary>
internal static partial class DurableLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "Grain {Grain}: {Method} with dedupe key {DedupeKey} was applied before; skipped")]
    public static partial void DuplicateSkipped(ILogger logger, GrainId grain, string method, string dedupeKey);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Grain {Grain}: state write refused (another activation wrote); deactivating")]
    public static partial void WriteConflict(ILogger logger, GrainId grain, Exception exception);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Error, Message = "Grain {Grain}: state write failed; deactivating, the next call reloads")]
    public static partial void WriteFailed(ILogger logger, GrainId grain, Exception exception);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Grain {Grain}: delivering {Method} to {Target} failed (attempt {Attempts}); retrying after back-off")]
    public static partial void DeliveryFailed(ILogger logger, GrainId grain, string method, string target, int attempts, Exception exception);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Error, Message = "Grain {Grain}: {Method} to {Target} parked as dead letter {LetterId} after {Attempts} attempts")]
    public static partial void Parked(ILogger logger, GrainId grain, string method, string target, int attempts, long letterId, Exception exception);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Error, Message = "Grain {Grain}: could not park {Method} to {Target}; it stays pending")]
    public static partial void ParkFailed(ILogger logger, GrainId grain, string method, string target, Exception exception);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Warning, Message = "Grain {Grain}: wake-up {WakeUp} failed (attempt {Attempts}); retrying after back-off")]
    public static partial void WakeUpFailed(ILogger logger, GrainId grain, string wakeUp, int attempts, Exception exception);

    [LoggerMessage(EventId = 7108, Level = LogLevel.Error, Message = "Grain {Grain}: wake-up {WakeUp} parked as dead letter {LetterId} after {Attempts} attempts")]
    public static partial void WakeUpParked(ILogger logger, GrainId grain, string wakeUp, int attempts, long letterId, Exception exception);

    [LoggerMessage(EventId = 7109, Level = LogLevel.Information, Message = "Grain {Grain}: wake-ups left to the next activation (this one is going away)")]
    public static partial void WakeUpAbandoned(ILogger logger, GrainId grain, Exception exception);

    [LoggerMessage(EventId = 7110, Level = LogLevel.Error, Message = "Grain {Grain}: a callback after a write failed")]
    public static partial void CallbackFailed(ILogger logger, GrainId grain, Exception exception);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Warning, Message = "Grain {Grain}: a notice failed (attempt {Attempts}); retrying after back-off")]
    public static partial void NoticeFailed(ILogger logger, GrainId grain, int attempts, Exception exception);

    [LoggerMessage(EventId = 7112, Level = LogLevel.Warning, Message = "Grain {Grain}: a notice was given up after {Attempts} attempts; its receiver finds it on its own")]
    public static partial void NoticeGivenUp(ILogger logger, GrainId grain, int attempts, Exception exception);

    [LoggerMessage(EventId = 7120, Level = LogLevel.Warning, Message = "Sweeper: waking {Grain} failed; the next sweep tries again")]
    public static partial void WakeFailed(ILogger logger, GrainId grain, Exception exception);

    [LoggerMessage(EventId = 7121, Level = LogLevel.Error, Message = "Sweeper: reading {Kind} rows failed; the next sweep tries again")]
    public static partial void SweepFailed(ILogger logger, string kind, Exception exception);

    [LoggerMessage(EventId = 7122, Level = LogLevel.Debug, Message = "Sweeper: woke {Count} grains with {Kind} work pending")]
    public static partial void Swept(ILogger logger, int count, string kind);

    [LoggerMessage(EventId = 7123, Level = LogLevel.Warning, Message = "Could not activate the durable sweeper at silo start; its reminder or the next silo start will")]
    public static partial void SweeperStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7124, Level = LogLevel.Information, Message = "Grain {Grain}: acknowledged messages left in storage at deactivation (the next activation sends them again; receivers dedupe)")]
    public static partial void AcksNotWritten(ILogger logger, GrainId grain, Exception exception);
}
