using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Retention;
using Orleans.Hosting;

namespace Orchestrator.Grains.Retention;

/// <summary>Retention in a silo: its options (validated at start), its store queries, and a ping of the grain at start.</summary>
public static partial class RetentionRegistration
{
    /// <summary>
    /// Adds retention to a silo whose services hold the <see cref="OrchestratorDatabase"/>. Every silo pings the one
    /// retention grain when it starts, so a pass interrupted by a stop resumes, and the first pass gets armed.
    /// </summary>
    public static ISiloBuilder AddRetention(this ISiloBuilder silo, Action<RetentionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var options = silo.Services.AddOptions<RetentionOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.ValidateOnStart();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, Validator>());
        silo.Services.TryAddSingleton<IRetentionStore>(sp => RetentionStores.On(sp.GetRequiredService<OrchestratorDatabase>()));
        silo.AddStartupTask(static async (services, cancellationToken) =>
        {
            try
            {
                await services.GetRequiredService<IGrainFactory>().GetGrain<IRetentionGrain>(IRetentionGrain.Key).Ping();
            }
            catch (Exception ex)
            {
                // Not fatal: the grain's wake-up (swept) or the next silo's start arms it.
                PingFailed(services.GetRequiredService<ILoggerFactory>().CreateLogger<RetentionGrain>(), ex);
            }
        });
        return silo;
    }

    [LoggerMessage(EventId = 4510, Level = LogLevel.Warning, Message = "Could not reach the retention grain at start; its wake-up or the next start arms it")]
    private static partial void PingFailed(ILogger logger, Exception exception);

    private sealed class Validator : IValidateOptions<RetentionOptions>
    {
        public ValidateOptionsResult Validate(string? name, RetentionOptions options)
        {
            var problems = options.Validate().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
