using Orchestrator.Api.Hosting;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Agents;

/// <summary>
/// The keys and statuses of every open assignment in the cluster, read at most once per poll interval and shared
/// by all polls of this API process. A poll for a large fleet (a simulated one, or an agent answering for many
/// hosts) filters this snapshot instead of probing each of its hosts: the cost follows the open assignments, not
/// the hosts asked about.
/// </summary>
public sealed class OpenAssignments(ApiOptions options)
{
    private const int PageSize = 10_000;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<IndexRow> _rows = [];
    private long _readAt = -1; // never read

    /// <summary>Polls naming more hosts than this use the shared snapshot.</summary>
    public const int FleetThreshold = 64;

    private bool IsFresh(long interval) => _readAt >= 0 && Environment.TickCount64 - _readAt < interval;

    public async Task<IReadOnlyList<IndexRow>> GetAsync(IIndexReader indexes, CancellationToken cancellationToken)
    {
        var interval = (long)options.AgentPollInterval.TotalMilliseconds;
        if (IsFresh(interval))
        {
            return _rows;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (IsFresh(interval))
            {
                return _rows;
            }
            var started = Environment.TickCount64;
            var rows = new List<IndexRow>();
            (string, string)? after = null;
            while (true)
            {
                var page = await indexes.ScanKindAsync(IndexKinds.Assignment, after, PageSize, cancellationToken);
                rows.AddRange(page);
                if (page.Count < PageSize)
                {
                    break;
                }
                after = (page[^1].Partition, page[^1].Key);
            }
            _rows = rows;
            _readAt = started;
            return rows;
        }
        finally
        {
            _gate.Release();
        }
    }
}
