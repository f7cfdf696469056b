using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Client;
using Orchestrator.Client.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="OrchestratorClient"/> as a typed client of the HttpClient factory, with the client's retries.</summary>
public static class OrchestratorClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="OrchestratorClient"/> (transient; the factory pools its connections), its options (checked at
    /// start) and the resilience handler of <see cref="ClientResilience"/>. Handlers added to the returned builder run
    /// under the retries, once per attempt.
    /// </summary>
    public static IHttpClientBuilder AddOrchestratorClient(this IServiceCollection services, Action<OrchestratorClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<OrchestratorClientOptions>().Configure(configure).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OrchestratorClientOptions>, OrchestratorClientOptionsValidator>();
        var builder = services.AddHttpClient<OrchestratorClient>((provider, http) =>
        {
            http.BaseAddress = provider.GetRequiredService<IOptions<OrchestratorClientOptions>>().Value.BaseAddress;
            // The pipeline's total and per-attempt timeouts govern; the HttpClient's own would cut retries short.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });
        builder.AddResilienceHandler(ClientResilience.PipelineName, (pipeline, context) =>
            ClientResilience.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<OrchestratorClientOptions>>().Value));
        return builder;
    }
}

/// <summary>Checks <see cref="OrchestratorClientOptions"/> at start, with messages naming the option and its value.</summary>
internal sealed class OrchestratorClientOptionsValidator : IValidateOptions<OrchestratorClientOptions>
{
    public ValidateOptionsResult Validate(string? name, OrchestratorClientOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
