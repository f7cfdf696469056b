using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.DeadLetters;

namespace Orchestrator.Api.Common;

/// <summary>
/// What endpoints call and read: grains through Orleans (<see cref="IGrainFactory"/>, a call returns once the grain
/// persisted it), and what grains committed, read straight from the orchestrator's database — index rows, logs, blobs
/// and dead letters — without activating a grain.
/// </summary>
public sealed class GrainClient(IGrainFactory grains, IIndexReader indexes, ILogStore logs, IBlobStore blobs, IDeadLetterStore deadLetters, TimeProvider clock)
{
    /// <summary>On the database's stores.</summary>
    public GrainClient(IGrainFactory grains, OrchestratorDatabase database, TimeProvider clock)
        : this(grains, (database ?? throw new ArgumentNullException(nameof(database))).Indexes, database.Logs, database.Blobs, database.DeadLetters, clock)
    {
    }

    /// <summary>The orchestrator clock: times the API sends to grains are read from it.</summary>
    public TimeProvider Clock => clock;

    public IGrainFactory Grains => grains;

    public TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrainWithStringKey =>
        grains.GetGrain<TGrain>(key);

    /// <summary>Index rows grains committed with their state (lists and searches without reading grain state).</summary>
    public IIndexReader Indexes => indexes;

    /// <summary>Chunked output logs.</summary>
    public ILogStore Logs => logs;

    /// <summary>Content-addressed files.</summary>
    public IBlobStore Blobs => blobs;

    /// <summary>Messages parked after their last delivery attempt.</summary>
    public IDeadLetterStore DeadLetters => deadLetters;

    /// <summary>The cluster's silos Orleans' membership counts as active (name, start, last heartbeat).</summary>
    public async Task<IReadOnlyList<MembershipEntry>> GetActiveSilosAsync()
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true).ConfigureAwait(false);
        return [.. hosts.Where(h => h.Status == SiloStatus.Active).OrderBy(h => h.StartTime)];
    }
}
