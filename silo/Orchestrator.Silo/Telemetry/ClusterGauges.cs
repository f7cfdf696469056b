using System.Diagnostics.Metrics;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Telemetry;

namespace Orchestrator.Silo.Telemetry;

/// <summary>
/// Cluster-wide counts only the database knows, as gauges: task instances by status (<c>orchestrator.instances.current</c>),
/// hosts by agent status (<c>orchestrator.hosts</c>: online, draining, offline) and the assignments written for agents
/// and not yet ended (<c>orchestrator.assignments.open</c>: every host's <c>assign</c> rows). Read from the index rows
/// (three counts) at most every <see cref="RefreshInterval"/>, and only while something scrapes: a scrape answers
/// the last counts and starts a refresh when they are older. Every silo and API process reports the same cluster
/// numbers, so dashboards take <c>max</c>, not <c>sum</c>.
/// </summary>
public sealed class ClusterGauges(OrchestratorDatabase database, ILogger<ClusterGauges> logger) : IHostedService
{
    /// <summary>How old the counts may be.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(15);

    private readonly Lock _gate = new();
    private IReadOnlyDictionary<int, long> _instances = new Dictionary<int, long>();
    private IReadOnlyDictionary<int, long> _hosts = new Dictionary<int, long>();
    private long _openAssignments;
    private long _readAt = -1; // never read
    private int _refreshing;
    private CancellationTokenSource? _stopping;
    private readonly List<ObservableGauge<long>> _gauges = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        var meter = OrchestratorTelemetry.Meter;
        _gauges.Add(meter.CreateObservableGauge("orchestrator.instances.current", () => Observe(i => i._instances, ExecutionNames), "{instance}",
            "Task instances in each status (the whole cluster, from the database)."));
        _gauges.Add(meter.CreateObservableGauge("orchestrator.hosts", () => Observe(i => i._hosts, HostNames), "{host}",
            "Hosts by their agent's status: online, draining, offline (the whole cluster, from the database)."));
        _gauges.Add(meter.CreateObservableGauge("orchestrator.assignments.open", ObserveOpenAssignments, "{assignment}",
            "Assignments written for agents and not yet ended: dispatched or running (the whole cluster, from the database)."));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping?.Cancel();
        return Task.CompletedTask;
    }

    private static readonly Dictionary<int, string> ExecutionNames = Enum.GetValues<ExecutionStatus>().ToDictionary(s => (int)s, Camel);
    private static readonly Dictionary<int, string> HostNames = Enum.GetValues<HostStatus>().ToDictionary(s => (int)s, Camel);

    private static string Camel<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    private IEnumerable<Measurement<long>> Observe(Func<ClusterGauges, IReadOnlyDictionary<int, long>> counts, Dictionary<int, string> names)
    {
        RefreshIfOld();
        IReadOnlyDictionary<int, long> now;
        lock (_gate)
        {
            now = counts(this);
        }
        // Every status, zero included: a series that vanishes reads as "no data" in an alert, not as 0.
        return names.Select(n => new Measurement<long>(now.GetValueOrDefault(n.Key), new KeyValuePair<string, object?>("status", n.Value)));
    }

    private long ObserveOpenAssignments()
    {
        RefreshIfOld();
        return Interlocked.Read(ref _openAssignments);
    }

    private void RefreshIfOld()
    {
        var readAt = Interlocked.Read(ref _readAt);
        if ((readAt >= 0 && Environment.TickCount64 - readAt < (long)RefreshInterval.TotalMilliseconds)
            || _stopping is not { IsCancellationRequested: false } stopping || Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }
        _ = RefreshAsync(stopping.Token);
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Instances are indexed per namespace: the counts of every namespace's partitions, added up.
            var instances = new Dictionary<int, long>();
            foreach (var partition in await NamespaceRegistry.AllPartitionsAsync(database.Indexes, cancellationToken).ConfigureAwait(false))
            {
                foreach (var (status, count) in await database.Indexes.CountByStatusAsync(IndexKinds.Instance, partition, cancellationToken).ConfigureAwait(false))
                {
                    instances[status] = instances.GetValueOrDefault(status) + count;
                }
            }
            var hosts = await database.Indexes.CountByStatusAsync(IndexKinds.Host, "", cancellationToken).ConfigureAwait(false);
            var open = await database.Indexes.CountKindAsync(IndexKinds.Assignment, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _instances = instances;
                _hosts = hosts;
            }
            Interlocked.Exchange(ref _openAssignments, open);
            Interlocked.Exchange(ref _readAt, Environment.TickCount64);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RefreshFailed(logger, ex); // the last counts stay; the next scrape tries again
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        finally
        {
            Interlocked.Exchange(ref _refreshing, 0);
        }
    }
}
