using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Silos;

/// <summary>What a grain instance sees of the runtime: a live activation, or a read-only view for read methods.</summary>
internal interface IGrainContext
{
    GrainId Id { get; }

    int Shard { get; }

    int ShardCount { get; }

    long Version { get; }

    TimeProvider Clock { get; }

    IGrainFactory GrainFactory { get; }

    /// <summary>Committed index rows (this turn's own writes are not visible until it commits).</summary>
    IIndexReader Indexes { get; }

    /// <summary>The output log store; its writes are not part of any turn's commit.</summary>
    ILogStore Logs { get; }

    /// <summary>The turn being run; throws outside a turn and in read methods.</summary>
    TurnContext CurrentTurn { get; }

    Task<IReadOnlyList<ReminderInfo>> GetRemindersAsync(CancellationToken cancellationToken);

    IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period);
}
