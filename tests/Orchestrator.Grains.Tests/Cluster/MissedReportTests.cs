using Microsoft.Extensions.DependencyInjection;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// A target tells its step it ended with a notice after its write, not an outbox message. Here every such notice is
/// lost (a silo call filter fails it, as a silo dying between the target's write and its call would lose it): the step
/// still ends, with counters matching its targets, because its backstop finds the final rows it never heard about.
/// </summary>
public sealed class MissedReportTests : GrainClusterTests
{
    protected override void ConfigureSilo(IServiceCollection services) => services.AddSingleton<IOutgoingGrainCallFilter, DropReports>();

    [Fact]
    public async Task Step_EveryReportNoticeLost_BackstopCountsEachTargetOnce()
    {
        var names = Enumerable.Range(0, 20).Select(i => $"m{i:D2}").ToList();
        var failing = names.Take(3).ToHashSet(StringComparer.Ordinal);
        var fleet = new Dictionary<string, string> { ["role"] = "lost" };
        foreach (var name in names)
        {
            await Cluster.RegisterHostAsync(name, fleet);
        }
        var instance = await Cluster.RunAsync("lost", """
            name: lost
            steps:
              - name: everywhere
                targets:
                  selector: "role=lost"
                script: echo hi
                execution:
                  parallelism: 8
                  failureBudget: 5
            """, "run-lost");
        var step = Cluster.Client.GetGrain<IStepGrain>("run-lost:0");

        var finished = new HashSet<string>(StringComparer.Ordinal);
        await Eventually.Until(
            async () =>
            {
                foreach (var row in Cluster.Storage.Rows(IndexKinds.Assignment).Where(r => finished.Add(r.Key)))
                {
                    await Cluster.RunAssignmentAsync(row, failing.Contains(row.Partition) ? 1 : 0);
                }
                // Null until the run's start has been delivered to the instance.
                if ((await instance.GetAsync())?.Status.IsFinal() == true)
                {
                    return true;
                }
                // No report ever arrives: only the backstop's looks (15 s, then less often) move the step on.
                await Cluster.AdvanceAsync(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
                return false;
            },
            ended => ended,
            TimeSpan.FromSeconds(60),
            "the run to end with every report notice lost");

        Assert.True(DropReports.Dropped >= names.Count, $"only {DropReports.Dropped} notices were dropped");
        var view = await step.GetAsync();
        Assert.Equal((ExecutionStatus.Succeeded, 20, 20, 17, 3, 0), (view!.Status, view.TotalTargets, view.Dispatched, view.Succeeded, view.Failed, view.NotStarted));
        Assert.Equal(ExecutionStatus.Succeeded, (await instance.GetAsync())!.Status);
        Assert.Equal(names.Order(StringComparer.Ordinal), finished.Select(k => k.Split(':')[^1].Split('#')[0]).Order(StringComparer.Ordinal));
    }

    /// <summary>Fails every <c>OnTargetFinished</c> call made by a grain of this silo (the targets' notices).</summary>
    private sealed class DropReports : IOutgoingGrainCallFilter
    {
        private static int _dropped;

        public static int Dropped => Volatile.Read(ref _dropped);

        public Task Invoke(IOutgoingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IStepGrain.OnTargetFinished))
            {
                Interlocked.Increment(ref _dropped);
                throw new TimeoutException("test: the report notice is lost");
            }
            return context.Invoke();
        }
    }
}
