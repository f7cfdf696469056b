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
        var group = routes.MapGroup("/api/v1/hosts").WithTags("Hosts");
        group.MapGet("/", List);
        group.MapGet("/{host}", Get);
        return group;
    }

    private static async Task<Results<Ok<Page<HostListItem>>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var selector = query.Text("selector", ApiLimits.MaxSelectorLength);
        var after = query.After();
        var size = query.Limit(api.Options.MaxPageSize);
        LabelSelector? parsed = null;
        if (selector is not null && !LabelSelector.TryParse(selector, out parsed, out var error))
        {
            query.Errors.Add(new FieldError("selector", error));
        }
        if (query.Problem() is { } bad)
        {
            return bad;
        }
        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Host, [""]) { AfterKey = after, Limit = size }, cancellationToken);
        var items = rows
            .Select(r => new { host = r.Key, status = (HostStatus)r.Status, data = IndexJson.Parse<HostIndexData>(r.Data!) })
            .Where(h => parsed is null || parsed.Matches(h.data.Labels))
            .Select(h => new HostListItem(h.host, h.status, h.data.Labels, h.data.Capacity))
            .ToList();
        // The selector filters a page of the inventory, so a page may hold fewer items than the limit and still have a next.
        return TypedResults.Ok(new Page<HostListItem>(items, Cursor.Next(rows.Count, size, () => rows[^1].Key)));
    }

    private static async Task<Results<Ok<HostView>, ProblemHttpResult>> Get(string host, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((Ids.CheckHost("host", host) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var view = await api.Client.GetGrain<IHostGrain>(host).GetAsync();
        return view is null ? Problems.NotFound($"No host '{host}' has registered.") : TypedResults.Ok(view);
    }
}
