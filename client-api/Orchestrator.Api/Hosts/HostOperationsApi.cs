using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Hosts;

/// <summary>
/// POST /api/v1/hosts/{host}/pause, /resume and /drain (admin on the host's namespace): a paused host is handed no new
/// assignment (they wait, dispatched, until it is resumed) while what runs on it goes on; a draining host is paused and
/// shows <c>drained</c> once nothing runs on it (its agent may be stopped). The agent keeps heartbeating either way.
/// </summary>
public static class HostOperationsApi
{
    public static IEndpointRouteBuilder MapHostOperationsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/hosts/{host}/pause", (string host, HttpContext http, ApiContext api) => ChangeAsync(host, http, api, HostOperation.Paused))
            .WithTags("Hosts").GuardHost();
        routes.MapPost("/api/v1/hosts/{host}/resume", (string host, HttpContext http, ApiContext api) => ChangeAsync(host, http, api, HostOperation.Active))
            .WithTags("Hosts").GuardHost();
        routes.MapPost("/api/v1/hosts/{host}/drain", (string host, HttpContext http, ApiContext api) => ChangeAsync(host, http, api, HostOperation.Draining))
            .WithTags("Hosts").GuardHost();
        return routes;
    }

    private static async Task<Results<Ok<HostView>, ProblemHttpResult>> ChangeAsync(string host, HttpContext http, ApiContext api, HostOperation operation)
    {
        if ((Ids.CheckHost("host", host) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var grain = api.Client.GetGrain<IHostGrain>(host);
        if (await grain.GetAsync() is null)
        {
            return Problems.NotFound($"No host '{host}' has registered.");
        }
        await grain.SetOperation(operation, Caller.Of(http));
        return TypedResults.Ok((await grain.GetAsync())!);
    }
}
