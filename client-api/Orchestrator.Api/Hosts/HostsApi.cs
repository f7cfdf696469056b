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

    /// <summary>Most assignments one page of hosts shows (<see cref="HostListItem.Running"/>); a host runs as many as its capacity.</summary>
    public const int MaxRunningShown = 1000;

    private static async Task<Results<Ok<Page<HostListItem>>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var (page, problem) = await ReadListAsync(http, api, cancellationToken);
        return page is null ? problem! : TypedResults.Ok(page);
    }

    /// <summary>
    /// The page <c>GET /api/v1/hosts</c> answers for this request's query and caller (its list event stream reads the
    /// same), or the 400 naming a bad parameter.
    /// </summary>
    internal static async Task<(Page<HostListItem>? Page, ProblemHttpResult? Problem)> ReadListAsync(HttpContext http, ApiContext api, CancellationToken cancellationToken)
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
            return (null, bad);
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
        var running = await RunningAsync(api, grants, items, cancellationToken);
        items = [.. items.Select(i => running.TryGetValue(i.Host, out var r) ? i with { Running = r } : i)];
        return (new Page<HostListItem>(items, Cursor.Next(items.Count, size, () => items[^1].Host)), null);
    }

    /// <summary>
    /// What the hosts run: their open assignments (one query for the page), each as its run, step, target and run
    /// number; those of runs in namespaces the caller may not read are left out.
    /// </summary>
    private static async Task<Dictionary<string, List<HostRunning>>> RunningAsync(ApiContext api, AccessGrants grants, List<HostListItem> hosts, CancellationToken cancellationToken)
    {
        var running = new Dictionary<string, List<HostRunning>>(StringComparer.Ordinal);
        if (hosts.Count == 0)
        {
            return running;
        }
        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Assignment, [.. hosts.Select(h => h.Host)]) { Limit = MaxRunningShown }, cancellationToken);
        foreach (var row in rows)
        {
            var record = IndexJson.Parse<AssignmentRecord>(row.Data!);
            if (!grants.Allows(Namespaces.Of(record.Namespace), Role.Viewer) || !GrainKeys.TryParseAssignment(row.Key, out var targetKey, out var run))
            {
                continue;
            }
            var (stepKey, target) = GrainKeys.SplitTarget(targetKey);
            var colon = stepKey.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(stepKey.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var step))
            {
                continue;
            }
            if (!running.TryGetValue(row.Partition, out var list))
            {
                running[row.Partition] = list = [];
            }
            list.Add(new HostRunning(stepKey[..colon], step, target, run, (AssignmentState)row.Status));
        }
        return running;
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
