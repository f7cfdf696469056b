using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Identity;

/// <summary>
/// POST /api/v1/hosts/{host}/revoke and /restore (admin): a revoked host's agent is refused (401) from its next call
/// and may not register the host again until it is restored (docs/agent-protocol.md, Credentials).
/// </summary>
public static class HostRevocationApi
{
    public static IEndpointRouteBuilder MapHostRevocationApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/hosts/{host}/revoke", (string host, HttpContext http, ApiContext api) => ChangeAsync(host, http, api, revoke: true)).WithTags("Hosts").GuardHost();
        routes.MapPost("/api/v1/hosts/{host}/restore", (string host, HttpContext http, ApiContext api) => ChangeAsync(host, http, api, revoke: false)).WithTags("Hosts").GuardHost();
        return routes;
    }

    private static async Task<Results<Ok<HostView>, ProblemHttpResult>> ChangeAsync(string host, HttpContext http, ApiContext api, bool revoke)
    {
        if ((Ids.CheckHost("host", host) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var grain = api.Client.GetGrain<IHostGrain>(host);
        if (revoke)
        {
            // A host that never registered can be revoked too: an agent stolen before its first start stays out.
            await grain.Revoke(Caller.Of(http));
        }
        else if (await grain.GetAsync() is null)
        {
            return Problems.NotFound($"No host '{host}' has registered.");
        }
        else
        {
            await grain.Restore(Caller.Of(http));
        }
        // A host revoked before it ever registered has no view yet: then, as before typed results, the 200 has no body.
        return TypedResults.Ok((await grain.GetAsync())!);
    }
}
