using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Selectors;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Hosts;

/// <summary>
/// /api/v1/hosts: the host inventory as agents registered it, filterable by a label selector and a namespace; a caller
/// sees the hosts of the namespaces it may read.
/// </summary>
public static class HostsApi
{
    public static RouteGroupBuilder MapHostsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/hosts").WithTags("Hosts");
        group.MapGet("/", List);
        group.MapGet("/{host}", Get);
        group.GuardHost();
        return group;
    }

    private static async Task<Results<Ok<Page<HostListItem>>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var selector = query.Text("selector", ApiLimits.MaxSelectorLength);
        var after = query.After();
        var size = query.Limit(api.Options.MaxPageSize);
        var requested = NamespaceScope.Read(query);
        LabelSelector? parsed = null;
        if (selector is not null && !LabelSelector.TryParse(selector, out parsed, out var error))
        {
            query.Errors.Add(new FieldError("selector", error));
        }
        if (query.Problem() is { } bad)
        {
            return bad;
        }
        // Hosts are one partition (steps scan them all); the namespace is in each row. The page is filled from as many
        // rows as it takes, and its cursor is its last shown host: never a host of a namespace the caller may not read.
        var grants = CallerClaims.GrantsOf(http.User);
        var every = requested is null && grants.ViewsEvery;
        var shown = (await NamespaceScope.ListedAsync(http, api, requested, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var items = new List<HostListItem>();
        var exhausted = shown.Count == 0 && !every;
        while (!exhausted && items.Count < size)
        {
            var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Host, [""]) { AfterKey = after, Limit = size }, cancellationToken);
            foreach (var row in rows)
            {
                var data = IndexJson.Parse<HostIndexData>(row.Data!);
                var ns = Namespaces.Of(data.Namespace);
                if ((every || shown.Contains(ns)) && (parsed is null || parsed.Matches(data.Labels)) && items.Count < size)
                {
                    // A draining host costs one more small query: is anything still running on it?
                    var operation = data.Operation == HostOperation.Draining && !await HostHolds.AnyRunningAsync(api.Client.Indexes, row.Key, cancellationToken)
                        ? HostOperation.Drained : data.Operation;
                    items.Add(new HostListItem(row.Key, (HostStatus)row.Status, data.Labels, data.Capacity, ns, operation, data.LastSeen));
                }
            }
            exhausted = rows.Count < size;
            after = rows.Count > 0 ? rows[^1].Key : after;
        }
        return TypedResults.Ok(new Page<HostListItem>(items, Cursor.Next(items.Count, size, () => items[^1].Host)));
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
