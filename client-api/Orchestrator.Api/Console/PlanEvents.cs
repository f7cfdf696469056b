using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
using Orchestrator.Api.Plans;
using Orchestrator.Api.Schedules;

namespace Orchestrator.Api.WebConsole; // not ".Console": that would hide System.Console in the whole assembly

/// <summary>
/// Live views of one plan and one schedule (<c>text/event-stream</c>), as <see cref="ListEvents"/> streams a list:
/// <c>GET /api/v1/plans/{id}/events</c> sends a <c>versions</c> event (what <c>GET /api/v1/plans/{id}/versions</c>
/// answers) and <c>GET /api/v1/plans/{planId}/schedules/{name}/events</c> a <c>schedule</c> event (what
/// <c>GET …/schedules/{name}</c> answers for the same <c>preview</c>), first and whenever it changed; <c>gone</c> once it
/// was deleted. Each is guarded by the plan's namespace, as the endpoint it follows.
/// </summary>
public static class PlanEvents
{
    public static IEndpointRouteBuilder MapPlanEvents(this IEndpointRouteBuilder callers)
    {
        callers.MapGet("/api/v1/plans/{id}/events", (string id, HttpContext http, ApiContext api, IHostApplicationLifetime lifetime, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken) =>
                ListEvents.StreamAsync(http, api, lifetime, json.Value.SerializerOptions, async (h, a, c) => await PlansApi.ReadVersionsAsync(id, h, a, c), cancellationToken, "versions"))
            .WithTags("Plans")
            .WithMetadata(new Hosting.AlsoAnswers(200, "text/event-stream", "Server-sent events: `versions` (what GET /api/v1/plans/{id}/versions answers) whenever it changed; `gone` once the plan is deleted; `unauthorized` once the credentials are no longer accepted."))
            .GuardPlan("id");
        callers.MapGet("/api/v1/plans/{planId}/schedules/{name}/events", (string planId, string name, HttpContext http, ApiContext api, IHostApplicationLifetime lifetime, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken) =>
                ListEvents.StreamAsync(http, api, lifetime, json.Value.SerializerOptions, async (h, a, c) => await SchedulesApi.ReadOneAsync(planId, name, h, a, c), cancellationToken, "schedule"))
            .WithTags("Schedules")
            .WithMetadata(new Hosting.AlsoAnswers(200, "text/event-stream", "Server-sent events: `schedule` (what GET …/schedules/{name} answers for the same `preview`) whenever it changed; `gone` once it is deleted; `unauthorized` once the credentials are no longer accepted."))
            .GuardPlan("planId");
        return callers;
    }
}
