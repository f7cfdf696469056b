using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Instances;

public static partial class InstancesApi
{
    /// <summary>
    /// Most rows one list request reads when the plan or principal filter leaves many out: the page then holds fewer
    /// runs than asked and its <c>next</c> carries on from the last row read, so that no request scans without bound.
    /// </summary>
    public const int MaxRowsScanned = 5000;

    private static async Task<Results<Ok<Page<InstanceListItem>>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var (page, problem) = await ReadListAsync(http, api, cancellationToken);
        return page is null ? problem! : TypedResults.Ok(page);
    }

    /// <summary>
    /// The page <c>GET /api/v1/task-instances</c> answers for this request's query and caller (its list event stream
    /// reads the same), or the 400 naming a bad parameter.
    /// </summary>
    internal static async Task<(Page<InstanceListItem>? Page, ProblemHttpResult? Problem)> ReadListAsync(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var filter = InstanceListFilter.Read(query, api.Options.MaxPageSize);
        if (query.Problem() is { } bad)
        {
            return (null, bad);
        }
        var partitions = await NamespaceScope.PartitionsAsync(http, api, filter.Namespace, cancellationToken);
        var items = new List<InstanceListItem>();
        var after = filter.StartKey();
        var scanned = 0;
        var exhausted = partitions.Count == 0;
        while (!exhausted && items.Count < filter.Limit && scanned < MaxRowsScanned)
        {
            var batch = Math.Min(Math.Max(filter.Limit, 100), MaxRowsScanned - scanned);
            var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.InstanceByTime, partitions) { Statuses = filter.Statuses, AfterKey = after, Limit = batch }, cancellationToken);
            exhausted = rows.Count < batch;
            var inRange = rows.TakeWhile(r => !filter.IsPast(r.Key)).ToList();
            exhausted |= inRange.Count < rows.Count;
            var candidates = inRange.Where(r => filter.Matches(IndexJson.Parse<InstanceIndexData>(r.Data!))).ToList();
            var current = await CurrentRowsAsync(api, candidates, cancellationToken);
            foreach (var row in inRange)
            {
                scanned++;
                after = row.Key;
                var id = InstanceListFilter.IdOf(row.Key);
                if (current.TryGetValue((row.Partition, id), out var data) && filter.Matches(data) && (filter.Statuses is null || filter.Statuses.Contains((int)data.Status)))
                {
                    items.Add(new InstanceListItem(id, NamespacePartitions.NamespaceOf(row.Partition), data));
                    if (items.Count == filter.Limit)
                    {
                        break;
                    }
                }
            }
        }
        // A full page, or a scan stopped at its bound, goes on from the last row read; a range read to its end does not.
        var next = (items.Count == filter.Limit || !exhausted) && after is not null && after != filter.StartKey() ? Cursor.Encode(after) : null;
        return (new Page<InstanceListItem>(items, next), null);
    }

    /// <summary>
    /// The runs' 'instance' rows, by partition and id: what a run is now. Its time row orders it; the 'instance' row is
    /// what every version writes, so a run a previous version went on with during a rolling upgrade shows its status,
    /// and one it deleted is not listed. Its principal comes from the time row when the 'instance' row has none.
    /// </summary>
    private static async Task<Dictionary<(string Partition, string Id), InstanceIndexData>> CurrentRowsAsync(ApiContext api, List<IndexRow> timeRows, CancellationToken cancellationToken)
    {
        var current = new Dictionary<(string, string), InstanceIndexData>();
        foreach (var partition in timeRows.GroupBy(r => r.Partition, StringComparer.Ordinal))
        {
            var byId = partition.ToDictionary(r => InstanceListFilter.IdOf(r.Key), r => IndexJson.Parse<InstanceIndexData>(r.Data!), StringComparer.Ordinal);
            foreach (var row in await api.Client.Indexes.GetAsync(IndexKinds.Instance, partition.Key, byId.Keys, cancellationToken))
            {
                var data = IndexJson.Parse<InstanceIndexData>(row.Data!);
                current[(partition.Key, row.Key)] = data.By is null ? data with { By = byId[row.Key].By } : data;
            }
        }
        return current;
    }
}
