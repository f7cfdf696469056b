using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Reminders;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Durable;

/// <summary>Registers durable grains' services in a silo.</summary>
public static class DurableHostingExtensions
{
    /// <summary>
    /// Durable grains in this silo: their options (validated at start), the sweeper and its activation at silo start.
    /// The silo must also register the orchestrator clock (<see cref="AddOrchestratorClock"/>; real time if it does
    /// not), the grain storage named by <see cref="DurableOptions.StorageName"/>, an <c>IIndexReader</c> on the same
    /// database, an <see cref="IDeadLetterSink"/>, and Orleans reminders (the sweeper keeps itself alive with one).
    /// </summary>
    public static ISiloBuilder AddDurableGrains(this ISiloBuilder builder, Action<DurableOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<DurableOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DurableOptions>, DurableOptionsValidator>());
        if (!builder.Services.Any(s => s.ServiceType == typeof(OrchestratorClock)))
        {
            builder.Services.AddOrchestratorClock(TimeProvider.System);
        }
        builder.AddStartupTask(static async (services, cancellationToken) =>
        {
            try
            {
                await services.GetRequiredService<IGrainFactory>().GetGrain<IDurableSweeperGrain>(0).Ping();
            }
            catch (Exception ex)
            {
                DurableLog.SweeperStartFailed(services.GetRequiredService<ILoggerFactory>().CreateLogger<DurableSweeperGrain>(), ex);
            }
        });
        return builder;
    }

    /// <summary>
    /// Makes <paramref name="clock"/> the orchestrator clock: the <see cref="OrchestratorClock"/> singleton, and the keyed
    /// <see cref="TimeProvider"/> of grain timers (<see cref="TimeProviderNames.Grains"/>) and reminders
    /// (<see cref="ReminderTimeProviderNames.Reminders"/>). Never the unkeyed one: Orleans' own loops keep real time.
    /// </summary>
    public static IServiceCollection AddOrchestratorClock(this IServiceCollection services, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(clock);
        var orchestratorClock = clock as OrchestratorClock ?? new OrchestratorClock(clock);
        services.RemoveAll<OrchestratorClock>();
        services.AddSingleton(orchestratorClock);
        services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, orchestratorClock);
        services.AddKeyedSingleton<TimeProvider>(ReminderTimeProviderNames.Reminders, orchestratorClock);
        return services;
    }
}
