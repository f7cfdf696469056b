using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Diagnostics;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>The parts of one silo that its activations and loops share.</summary>
internal sealed class SiloContext
{
    public required string SiloId { get; init; }

    public required RuntimeOptions Options { get; init; }

    public required IRuntimeStore Store { get; init; }

    public required GrainTypeRegistry Registry { get; init; }

    public required IServiceProvider Services { get; init; }

    public required TimeProvider Clock { get; init; }

    public required ILogger Logger { get; init; }

    public required SiloMetrics Metrics { get; init; }

    public required GrainReader Reader { get; init; }

    public required PauseGate Gate { get; init; }

    /// <summary>Cancelled when the silo stops or is killed: no store call may run after that.</summary>
    public required CancellationToken Stopping { get; init; }

    public ShardTable Shards { get; } = new();

    public ActivationDirectory Directory { get; set; } = null!;

    public GroupCommitter Committer { get; set; } = null!;

    public InboxPump Pump { get; set; } = null!;

    public ReminderPump Reminders { get; set; } = null!;

    /// <summary>Called when a commit finds the shard fenced: this silo lost it and must stop serving it.</summary>
    public Action<int, long> OnShardLost { get; set; } = (_, _) => { };
}
