using System.Collections.Concurrent;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// A silo dies while a step fans out: the step's activation comes back on another silo, resumes its dispatch cursor,
/// and every target ends exactly once with the counters matching (the grain-level version of issue #10's fault (a)).
/// </summary>
public sealed class SiloFailureTests : GrainClusterTests
{
    private const int Hosts = 200;

    protected override int Silos => 2;

    [Fact]
    public async Task FanOut_StepSiloKilledMidway_EveryTargetEndsOnceAndCountersMatch()
    {
        var names = Enumerable.Range(0, Hosts).Select(i => $"k{i:D3}").ToList();
        var fleet = new Dictionary<string, string> { ["role"] = "fleet" };
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) => await Cluster.RegisterHostAsync(name, fleet));
        var instance = await Cluster.RunAsync("fleet", """
            name: fleet
            steps:
              - name: everywhere
                targets:
                  selector: "role=fleet"
                script: echo hi
                execution:
                  parallelism: 40
            """, "run-kill");
        var step = Cluster.Client.GetGrain<IStepGrain>("run-kill:0");
        var finished = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        // The agents run about half of the work, then the step's silo dies (the cluster gets a fresh silo).
        while (finished.Count < Hosts / 2)
        {
            await Eventually.Until(() => Task.FromResult(Open(finished).Count), n => n > 0, GrainCluster.Deadline, "assignments to run");
            await RunOpenAsync(finished);
        }
        var before = await step.GetAsync();
        Assert.InRange(before!.Dispatched, 1, Hosts - 1); // mid fan-out: positions still to dispatch
        var silo = await Cluster.SiloOf(step);
        await Cluster.Durable.KillSiloAsync(silo);
        await Cluster.Durable.StartSiloAsync();

        // The agents go on (retrying what fails while grains move), the clock moves (outbox back-offs, sweeper).
        await Eventually.Until(
            async () =>
            {
                await RunOpenAsync(finished);
                if (await TryAsync(async () => (await instance.GetAsync())!.Status.IsFinal()))
                {
                    return true;
                }
                await Cluster.AdvanceAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), tolerant: true);
                return false;
            },
            ended => ended,
            TimeSpan.FromSeconds(120),
            "the run to end after its step's silo died");

        Assert.NotEqual(silo, await Cluster.SiloOf(step));
        var view = await step.GetAsync();
        Assert.Equal((ExecutionStatus.Succeeded, Hosts, Hosts, Hosts, 0, 0), (view!.Status, view.TotalTargets, view.Dispatched, view.Succeeded, view.Failed, view.NotStarted));
        Assert.Equal(ExecutionStatus.Succeeded, (await instance.GetAsync())!.Status);
        var targets = Cluster.Storage.Rows(IndexKinds.Target).Where(r => r.Partition == "run-kill:0").ToList();
        Assert.Equal(names, targets.Select(r => r.Key));
        Assert.All(targets, r => Assert.Equal((int)TargetStatus.Succeeded, r.Status));
        // Each host ran its work once: one assignment (run 1) per target, none left open.
        Assert.Equal(names.Select(n => $"run-kill:0:{n}#1").Order(StringComparer.Ordinal), finished.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(Cluster.Storage.Rows(IndexKinds.Assignment));
    }

    private List<IndexRow> Open(ConcurrentDictionary<string, bool> finished) =>
        [.. Cluster.Storage.Rows(IndexKinds.Assignment).Where(r => !finished.ContainsKey(r.Key))];

    /// <summary>Runs every open assignment to success, each call retried until it goes through (as an agent's reports are).</summary>
    private async Task RunOpenAsync(ConcurrentDictionary<string, bool> finished)
    {
        await Parallel.ForEachAsync(Open(finished), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (row, _) =>
        {
            await Eventually.Until(() => TryAsync(async () =>
            {
                await Cluster.RunAssignmentAsync(row, exitCode: 0);
                return true;
            }), ok => ok, TimeSpan.FromSeconds(60), $"the agent's report of {row.Key} to go through");
            finished[row.Key] = true;
        });
    }

    private static async Task<bool> TryAsync(Func<Task<bool>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            return false;
        }
    }
}
