using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Selectors;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Hosts;

/// <summary>/api/v1/hosts: the host inventory as agents registered it, filterable by a label selector.</summary>
public static class HostsApi
{
    public static RouteGroupBuilder MapHostsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/hosts").WithTags("Hosts").AddEndpointFilter(ApiContext.RequireClient);
        group.MapGet("/", List);
        group.MapGet("/{host}", Get);
        return group;
    }

    private static async Task<IResult> List(string? selector, string? after, int? limit, ApiContext api, CancellationToken cancellationToken)
    {
        LabelSelector? parsed = null;
        if (selector is not null && !LabelSelector.TryParse(selector, out parsed, out var error))
        {
            return Problems.Field("selector", error!);
        }
        var client = api.Client;
        var size = api.PageSize(limit);
        var rows = await client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Host, [""]) { AfterKey = after, Limit = size }, cancellationToken);
        var items = rows
            .Select(r => new { host = r.Key, status = (HostStatus)r.Status, data = IndexJson.Parse<HostIndexData>(r.Data!) })
            .Where(h => parsed is null || parsed.Matches(h.data.Labels))
            .Select(h => new { h.host, h.status, h.data.Labels, h.data.Capacity })
            .ToList();
        return TypedResults.Ok(new { items, next = rows.Count == size ? rows[^1].Key : null });
    }

    private static async Task<IResult> Get(string host, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        var view = await client.GetGrain<IHostGrain>(host).GetAsync();
        return view is null ? Problems.NotFound($"No host '{host}' has registered.") : TypedResults.Ok(view);
    }
}
