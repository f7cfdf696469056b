using Orchestrator.Api.Agents;
using Orchestrator.Api.Audit;
using Orchestrator.Api.Clusters;
using Orchestrator.Api.Common;
using Orchestrator.Api.DeadLetters;
using Orchestrator.Api.Files;
using Orchestrator.Api.Hooks;
using Orchestrator.Api.Hosts;
using Orchestrator.Api.Identity;
using Orchestrator.Api.Instances;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Plans;
using Orchestrator.Api.Retention;
using Orchestrator.Api.Schedules;
using Orchestrator.Api.WebConsole;

namespace Orchestrator.Api.Hosting;

/// <summary>Adds the REST API and the agent gateway to a web host.</summary>
public static class ApiRegistration
{
    /// <summary>
    /// The API's services. The host provides Orleans' <see cref="IGrainFactory"/> (a silo's, or a client's with
    /// <c>UseOrleansClient</c>), the <see cref="Runtime.Persistence.OrchestratorDatabase"/> the grains write to, and
    /// optionally the <see cref="Runtime.Durable.OrchestratorClock"/> (real time otherwise).
    /// </summary>
    public static IServiceCollection AddOrchestratorApi(this IServiceCollection services, ApiOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<CommandWaiter>();
        services.AddSingleton(sp => new ApiContext(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<Runtime.Persistence.OrchestratorDatabase>(),
            sp.GetRequiredService<CommandWaiter>(), sp.GetRequiredService<ApiOptions>(), sp.GetService<Runtime.Durable.OrchestratorClock>()));
        services.AddSingleton<Agents.HeartbeatThrottle>();
        services.AddSingleton<Agents.RecentHolds>();
        services.AddSingleton<Agents.OpenAssignments>();
        services.AddHostedService<DayRuleUpgrade>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Extensions["traceId"] = TraceIds.Of(c.HttpContext);
            AuditRecording.NoteProblem(c.HttpContext, c.ProblemDetails.Title);
        });
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddTraceIds(); // startup filters run in the order added: the trace id, then the audit, then error handling
        services.AddApiAudit();
        services.AddApiProblemHandling();
        services.AddOrchestratorIdentity(options.Auth);
        services.AddOrchestratorOpenApi();
        services.AddOrchestratorConsole(); // the web console's session cookie, after the other startup filters
        return services;
    }

    public static IEndpointRouteBuilder MapOrchestratorApi(this IEndpointRouteBuilder routes)
    {
        var all = routes.MapGroup("");
        ((IEndpointConventionBuilder)all).Finally(ProblemResponses.Add); // after every convention, so that it sees each endpoint's auth and typed answers
        var callers = all.MapGroup("").RequireCaller(); // every endpoint but the jobs API and the agent gateway (their own schemes)
        callers.MapPlansApi();
        callers.MapSchedulesApi();
        callers.MapInstancesApi();
        callers.MapHostsApi();
        callers.MapHooksApi();
        callers.MapFilesApi(routes.ServiceProvider.GetRequiredService<ApiOptions>());
        callers.MapTokensApi();
        callers.MapHostRevocationApi();
        callers.MapNamespacesApi();
        callers.MapHostOperationsApi();
        all.MapJobsApi();
        callers.MapDeadLettersApi();
        callers.MapAuditApi();
        callers.MapRetentionApi();
        callers.MapClustersApi();
        all.MapAgentGateway(routes.ServiceProvider.GetRequiredService<ApiOptions>());
        routes.MapOrchestratorOpenApi();
        routes.MapOrchestratorConsole(callers);
        return routes;
    }
}
