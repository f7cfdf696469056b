using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Api.Common;
using Orchestrator.Api.Hosting;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Api.Schedules;

/// <summary>
/// Once the host has started, asks the schedule of every Harbor periodic job whose index row does not show the
/// standard day rule to adopt it (<see cref="IScheduleGrain.UpgradeDayRule"/>). Those were saved before day matching
/// existed: they already follow the standard rule when they fire, but their reminder was stored under both-must-match
/// and would wake them only on the days both fields match (a Friday the 13th for <c>0 0 9 13 * 5</c>) until a turn of
/// theirs moves it. The sweep reads one index kind, page by page, and is harmless to repeat: every silo's API runs it
/// at start, and a schedule already moved writes its row and changes nothing else.
/// </summary>
internal sealed partial class DayRuleUpgrade(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<DayRuleUpgrade> logger) : IHostedService
{
    private const int PageSize = 1000;

    private readonly CancellationTokenSource _stopping = new();
    private Task _sweep = Task.CompletedTask;
    private CancellationTokenRegistration _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = lifetime.ApplicationStarted.Register(() => _sweep = Task.Run(() => SweepAsync(_stopping.Token)));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _started.DisposeAsync();
        await _stopping.CancelAsync();
        await _sweep.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Whether a schedule's index row is a periodic job's still shown under another rule than the standard one.</summary>
    internal static bool NeedsUpgrade(ScheduleIndexData row) => row.DayMatching != DayMatching.Either && IsPeriodicJob(row);

    /// <summary>Whether a schedule is a Harbor periodic job's (the jobs API labels it <c>job.kind=Periodic</c>).</summary>
    internal static bool IsPeriodicJob(ScheduleIndexData row) => row.Labels.TryGetValue(JobLabels.Kind, out var kind) && kind == JobLabels.Periodic;

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A host without a cluster (the API embedded in a test of its own) has nothing to sweep.
            if (services.GetService<IGrainFactory>() is null || services.GetService<Runtime.Persistence.OrchestratorDatabase>() is null)
            {
                return;
            }
            var client = services.GetRequiredService<ApiContext>().Client;
            var asked = 0; // periodic jobs are the jobs API's, which runs in namespace default
            string? after = null;
            while (true)
            {
                var rows = await client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Schedule, [.. NamespacePartitions.Of(Orchestrator.Plans.Model.Namespaces.Default)]) { AfterKey = after, Limit = PageSize }, cancellationToken).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    if (row.Data is not null && NeedsUpgrade(IndexJson.Parse<ScheduleIndexData>(row.Data)))
                    {
                        await client.GetGrain<IScheduleGrain>(row.Key).UpgradeDayRule(new ScheduleCommand(CommandWaiter.NewRequestId(), "orchestrator")).ConfigureAwait(false);
                        asked++;
                    }
                }
                if (rows.Count < PageSize)
                {
                    break;
                }
                after = rows[^1].Key;
            }
            if (asked > 0)
            {
                Log.Asked(logger, asked);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Nothing is lost: a schedule not asked moves to the standard rule at its next turn, or at the next start.
            Log.Failed(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Asked {Count} periodic jobs' schedules saved before day matching existed to adopt the standard day rule")]
        public static partial void Asked(ILogger logger, int count);

        [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "The day rule upgrade of periodic jobs' schedules failed; it is tried again at the next start")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
