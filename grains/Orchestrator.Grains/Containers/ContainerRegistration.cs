using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Containers.Clusters;
using Orchestrator.Containers.Execution;
using Orchestrator.Runtime.Durable;

namespace Orchestrator.Grains.Containers;

/// <summary>Container steps in a silo: the Job runner's and the cluster probes' options (validated at start) and the silo's Kubernetes clients.</summary>
public static class ContainerRegistration
{
    /// <summary>Adds them; options not configured keep their defaults.</summary>
    public static IServiceCollection AddContainerSteps(this IServiceCollection services, Action<JobRunOptions>? jobRun = null, Action<ClusterHealthOptions>? clusterHealth = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var run = services.AddOptions<JobRunOptions>();
        if (jobRun is not null)
        {
            run.Configure(jobRun);
        }
        run.ValidateOnStart();
        var health = services.AddOptions<ClusterHealthOptions>();
        if (clusterHealth is not null)
        {
            health.Configure(clusterHealth);
        }
        health.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobRunOptions>, JobRunValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterHealthOptions>, ClusterHealthValidator>());
        services.TryAddSingleton(sp => new ClusterClients(sp.GetRequiredService<IOptions<JobRunOptions>>(), sp.GetRequiredService<IOptions<ClusterHealthOptions>>(),
            sp.GetService<OrchestratorClock>() ?? OrchestratorClock.RealTime));
        return services;
    }

    private static ValidateOptionsResult Result(List<string> problems) =>
        problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);

    private sealed class JobRunValidator : IValidateOptions<JobRunOptions>
    {
        public ValidateOptionsResult Validate(string? name, JobRunOptions options) => Result([.. options.Validate(nameof(JobRunOptions) + ".")]);
    }

    private sealed class ClusterHealthValidator : IValidateOptions<ClusterHealthOptions>
    {
        public ValidateOptionsResult Validate(string? name, ClusterHealthOptions options) => Result([.. options.Validate(nameof(ClusterHealthOptions) + ".")]);
    }
}
