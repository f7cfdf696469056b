using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Hooks;
using Orchestrator.Runtime.Blobs;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Logs;
using Orchestrator.Runtime.OrleansReminders;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Persistence.DeadLetters;
using Orleans.Serialization;

namespace Orchestrator.Silo.Hosting;

/// <summary>
/// The orchestrator inside an Orleans silo, whatever hosts it (the silo process, the engine tests' in-process cluster):
/// the orchestrator clock (keyed Grains/Reminders clock, never the silo's own <see cref="TimeProvider"/>), the database
/// (migrated, with the Orleans provider tables, before any grain activates), <see cref="OrchestratorGrainStorage"/> as
/// the default grain storage, its readers (index rows, logs, blobs), the dead-letter sink, the durable grains and their
/// sweeper, the plan model's serializer, status hooks, and the reminder table of the store. Clustering, endpoints and
/// the dashboard are the host's.
/// </summary>
public static class SiloComposition
{
    public static ISiloBuilder AddOrchestrator(this ISiloBuilder silo, OrchestratorDatabaseOptions database, TimeProvider clock,
        Action<DurableOptions>? durable = null, Action<StatusHookOptions>? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(clock);
        var services = silo.Services;
        services.AddOrchestratorClock(clock);
        silo.AddOrchestratorDatabase(o => CopyTo(database, o));
        silo.AddOrchestratorGrainStorage();
        services.AddSingleton<IIndexReader>(sp => sp.GetRequiredService<OrchestratorDatabase>().Indexes);
        services.AddSingleton<ILogStore>(sp => sp.GetRequiredService<OrchestratorDatabase>().Logs);
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<OrchestratorDatabase>().Blobs);
        services.AddSingleton<IDeadLetterSink>(sp => DeadLetterStoreSink.On(sp.GetRequiredService<OrchestratorDatabase>()));
        services.AddSerializer(s => s.AddOrchestratorSerialization());
        services.AddStatusHooks(hooks);
        silo.AddDurableGrains(durable);
        silo.UseOrchestratorReminders(); // the store's reminder table; its migration runs with the database's
        return silo;
    }

    public static void CopyTo(OrchestratorDatabaseOptions from, OrchestratorDatabaseOptions to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        to.Store = from.Store;
        to.ConnectionString = from.ConnectionString;
        to.LogMaxBytesPerStream = from.LogMaxBytesPerStream;
        to.MaxBlobBytes = from.MaxBlobBytes;
        to.CommitBatchSize = from.CommitBatchSize;
        to.CommitConcurrency = from.CommitConcurrency;
    }

    public static void CopyTo(DurableOptions from, DurableOptions to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        to.StorageName = from.StorageName;
        to.MaxDeliveryAttempts = from.MaxDeliveryAttempts;
        to.RetryBackoffBase = from.RetryBackoffBase;
        to.RetryBackoffMax = from.RetryBackoffMax;
        to.MaxConcurrentDeliveries = from.MaxConcurrentDeliveries;
        to.AppliedKeysLimit = from.AppliedKeysLimit;
        to.AppliedKeysRetention = from.AppliedKeysRetention;
        to.SweepInterval = from.SweepInterval;
        to.SweepGrace = from.SweepGrace;
        to.SweepBatchSize = from.SweepBatchSize;
        to.SweepConcurrency = from.SweepConcurrency;
        to.SweeperKeepAlive = from.SweeperKeepAlive;
    }
}
