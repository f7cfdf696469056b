using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orchestrator.Runtime.Persistence.GrainState;

namespace Orchestrator.Runtime.Persistence;

/// <summary>Registers the orchestrator's database and its grain storage on a silo.</summary>
public static class OrchestratorPersistenceExtensions
{
    /// <summary>
    /// Registers <see cref="OrchestratorDatabase"/> as a singleton (options validated at start), migrated when the
    /// silo starts, before any grain activates (<see cref="ServiceLifecycleStage.RuntimeInitialize"/>), with every
    /// registered <see cref="StoreMigrationSource"/> of its store. Registering it again only adds configuration.
    /// </summary>
    public static IServiceCollection AddOrchestratorDatabase(this IServiceCollection services, Action<OrchestratorDatabaseOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<OrchestratorDatabaseOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrchestratorDatabaseOptions>, OrchestratorDatabaseOptionsValidator>());
        services.TryAddSingleton(sp => OrchestratorDatabase.Open(
            sp.GetRequiredService<IOptions<OrchestratorDatabaseOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetServices<StoreMigrationSource>(),
            sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, DatabaseMigration>());
        return services;
    }

    /// <summary>Registers the database (see <see cref="AddOrchestratorDatabase(IServiceCollection, Action{OrchestratorDatabaseOptions})"/>).</summary>
    public static ISiloBuilder AddOrchestratorDatabase(this ISiloBuilder builder, Action<OrchestratorDatabaseOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOrchestratorDatabase(configure);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="OrchestratorGrainStorage"/> under <paramref name="name"/> (default: Orleans' default
    /// storage, used by grains that name none) on the registered <see cref="OrchestratorDatabase"/>.
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="name">The storage name grains use in <c>[PersistentState(stateName, storageName)]</c>.</param>
    /// <param name="json">State JSON options; default <see cref="GrainStateJson.Options"/>.</param>
    public static ISiloBuilder AddOrchestratorGrainStorage(this ISiloBuilder builder, string name = ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, JsonSerializerOptions? json = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOrchestratorGrainStorage(name, json);
        return builder;
    }

    /// <inheritdoc cref="AddOrchestratorGrainStorage(ISiloBuilder, string, JsonSerializerOptions?)"/>
    public static IServiceCollection AddOrchestratorGrainStorage(this IServiceCollection services, string name = ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, JsonSerializerOptions? json = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        services.AddGrainStorage(name, (sp, storageName) => new OrchestratorGrainStorage(
            storageName, sp.GetRequiredService<OrchestratorDatabase>(), json, sp.GetRequiredService<ILogger<OrchestratorGrainStorage>>()));
        return services;
    }

    /// <summary>Migrates the database as the silo starts, before anything reads it.</summary>
    private sealed class DatabaseMigration(OrchestratorDatabase database) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(OrchestratorDatabase), ServiceLifecycleStage.RuntimeInitialize, database.MigrateAsync);
    }
}
