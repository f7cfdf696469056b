using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Orchestrator.Grains.Hooks;

/// <summary>Registers what <see cref="StatusHookGrain"/> takes from the silo's services.</summary>
public static class StatusHookRegistration
{
    /// <summary>
    /// Adds the hook sender (a named <see cref="HttpClient"/> that does not follow redirects) and validated
    /// <see cref="StatusHookOptions"/>. Without it the grain still delivers, with default options and no default secret.
    /// </summary>
    public static IServiceCollection AddStatusHooks(this IServiceCollection services, Action<StatusHookOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<StatusHookOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatusHookOptions>, StatusHookOptionsValidator>());
        services.AddHttpClient(StatusHookSender.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => StatusHookSender.CreateHandler(sp.GetRequiredService<IOptions<StatusHookOptions>>().Value));
        services.TryAddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new StatusHookSender(() => factory.CreateClient(StatusHookSender.ClientName), sp.GetRequiredService<IOptions<StatusHookOptions>>().Value);
        });
        return services;
    }
}
