using Orchestrator.Api.Agents;
using Orchestrator.Api.Common;
using Orchestrator.Api.Files;
using Orchestrator.Api.Hooks;
using Orchestrator.Api.Hosts;
using Orchestrator.Api.Instances;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Plans;
using Orchestrator.Api.Schedules;

namespace Orchestrator.Api.Hosting;

/// <summary>Adds the REST API and the agent gateway to a web host.</summary>
public static class ApiRegistration
{
    public static IServiceCollection AddOrchestratorApi(this IServiceCollection services, ApiOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<CommandWaiter>();
        services.AddSingleton<ApiContext>();
        services.AddSingleton<Agents.HeartbeatThrottle>();
        services.AddSingleton<Agents.OpenAssignments>();
        services.AddHostedService<DayRuleUpgrade>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            c.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? c.HttpContext.TraceIdentifier);
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddApiProblemHandling();
        return services;
    }

    public static IEndpointRouteBuilder MapOrchestratorApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPlansApi();
        routes.MapSchedulesApi();
        routes.MapInstancesApi();
        routes.MapHostsApi();
        routes.MapHooksApi();
        routes.MapFilesApi(routes.ServiceProvider.GetRequiredService<ApiOptions>());
        routes.MapJobsApi();
        routes.MapAgentGateway(routes.ServiceProvider.GetRequiredService<ApiOptions>());
        return routes;
    }
}
