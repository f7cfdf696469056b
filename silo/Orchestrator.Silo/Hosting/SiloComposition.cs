using System.Reflection;
using Orchestrator.Containers.Clusters;
using Orchestrator.Containers.Execution;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Containers;
using Orchestrator.Grains.Hooks;
using Orchestrator.Grains.Hosts;
using Orchestrator.Grains.Requests;
using Orchestrator.Grains.Retention;
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
/// sweeper, the host liveness monitor, the plan model's serializer, status hooks, the idempotency window, retention, container steps' options and clients, and the reminder table of the store. Clustering, endpoints and
/// the dashboard are the host's.
/// </summary>
public static class SiloComposition
{
    public static ISiloBuilder AddOrchestrator(this ISiloBuilder silo, OrchestratorDatabaseOptions database, TimeProvider clock,
        Action<DurableOptions>? durable = null, Action<StatusHookOptions>? hooks = null, Action<IdempotencyOptions>? idempotency = null,
        Action<RetentionOptions>? retention = null, Action<JobRunOptions>? jobRun = null, Action<ClusterHealthOptions>? clusterHealth = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(clock);
        var services = silo.Services;
        services.AddOrchestratorClock(clock);
        silo.AddOrchestratorDatabase(o => CopyTo(database, o));
        // Our grain storage under the name the durable grains write to (StorageName, "Default" unless set).
        var durableOptions = new DurableOptions();
        durable?.Invoke(durableOptions);
        silo.AddOrchestratorGrainStorage(durableOptions.StorageName);
        services.AddSingleton<IIndexReader>(sp => sp.GetRequiredService<OrchestratorDatabase>().Indexes);
        services.AddSingleton<ILogStore>(sp => sp.GetRequiredService<OrchestratorDatabase>().Logs);
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<OrchestratorDatabase>().Blobs);
        services.AddSingleton<IDeadLetterSink>(sp => DeadLetterStoreSink.On(sp.GetRequiredService<OrchestratorDatabase>()));
        services.AddSerializer(s => s.AddOrchestratorSerialization());
        services.AddStatusHooks(hooks);
        IdempotencyOptions.AddTo(services, idempotency);
        silo.AddDurableGrains(durable);
        services.AddHostLiveness();
        silo.AddRetention(retention);
        silo.UseOrchestratorReminders(); // the store's reminder table; its migration runs with the database's
        services.AddContainerSteps(jobRun, clusterHealth); // the Job runner's and cluster probes' options, the silo's Kubernetes clients
        return silo;
    }

    /// <summary>
    /// Copies every public settable property of options bound from configuration onto the instance the options pattern
    /// builds, so that an option added later is carried without anyone listing it here.
    /// </summary>
    public static void CopyTo<TOptions>(TOptions from, TOptions to)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        foreach (var property in typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property is { CanRead: true, CanWrite: true } && property.GetIndexParameters().Length == 0)
            {
                property.SetValue(to, property.GetValue(from));
            }
        }
    }
}
