using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// A step counts each target position once per attempt (<c>[DomainIdempotent] OnTargetFinished</c>, a bitset in its
/// state): a target's report heard twice (its notice retried after a lost reply, or found by the step's backstop as
/// well) never counts twice, and a large fan-out ends with counters that match its targets.
/// </summary>
public sealed class StepCountingTests : GrainClusterTests
{
    [Fact]
    public async Task OnTargetFinished_ReportSentTwice_CountedOnce()
    {
        await Cluster.RegisterHostAsync("a-1");
        await Cluster.RegisterHostAsync("a-2");
        await Cluster.RunAsync("twice", """
            name: twice
            steps:
              - name: only
                targets:
                  hosts: [a-1, a-2]
                script: echo hi
            """, "run-twice");
        var first = await Cluster.WaitAssignmentAsync("a-1", _ => true, "a-1's assignment");
        await Cluster.WaitAssignmentAsync("a-2", _ => true, "a-2's assignment");
        await Cluster.RunAssignmentAsync(first, exitCode: 0);
        var step = Cluster.Client.GetGrain<IStepGrain>("run-twice:0");
        await Eventually.Until(async () => (await step.GetAsync())!.Succeeded, n => n == 1, GrainCluster.Deadline, "a-1's report to count");

        // The target's notice comes again (it had not seen the reply): same attempt, same position.
        await step.OnTargetFinished(new TargetReport("a-1", 1, TargetStatus.Succeeded, 0, false, null, Position: 0));
        await step.OnTargetFinished(new TargetReport("a-1", 1, TargetStatus.Succeeded, 0, false, null, Position: 0));

        var view = await step.GetAsync();
        Assert.Equal((ExecutionStatus.Running, 1, 0), (view!.Status, view.Succeeded, view.Failed));
        Assert.Equal(ExecutionStatus.Running, (await Cluster.Client.GetGrain<ITaskInstanceGrain>("run-twice").GetAsync())!.Status);

        await Cluster.RunAssignmentAsync(await Cluster.WaitAssignmentAsync("a-2", _ => true, "a-2's assignment"), exitCode: 0);
        var run = await Cluster.WaitInstanceAsync("run-twice", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Succeeded, run!.Status);
        view = await step.GetAsync();
        Assert.Equal((ExecutionStatus.Succeeded, 2, 2, 0), (view!.Status, view.TotalTargets, view.Succeeded, view.Failed));
    }

    [Fact]
    public async Task Step_ThousandTargetsWithResentReports_FinishesWithCountersMatchingTheTargets()
    {
        const int Hosts = 1000;
        const int Parallelism = 100;
        var names = Enumerable.Range(0, Hosts).Select(i => $"n{i:D4}").ToList();
        var failing = names.Where((_, i) => i % 100 == 7).ToHashSet(StringComparer.Ordinal); // 10 hosts
        var fleet = new Dictionary<string, string> { ["role"] = "fleet" };
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (name, _) => await Cluster.RegisterHostAsync(name, fleet));
        var instance = await Cluster.RunAsync("fleet", $"""
            name: fleet
            steps:
              - name: everywhere
                targets:
                  selector: "role=fleet"
                script: echo hi
                execution:
                  parallelism: {Parallelism}
                  failureBudget: 10
            """, "run-fleet");
        var step = Cluster.Client.GetGrain<IStepGrain>("run-fleet:0");

        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var mostOpen = 0;
        var resent = 0;
        while (true)
        {
            // What the agents see now: the open assignments they have not run yet (or none left, and the run ended).
            var (open, ended) = await Eventually.Until(
                async () =>
                {
                    var rows = Cluster.Storage.Rows(IndexKinds.Assignment);
                    mostOpen = Math.Max(mostOpen, rows.Count);
                    return (rows.Where(r => !finished.Contains(r.Key)).ToList(), (await instance.GetAsync())?.Status.IsFinal() == true); // null: the run's start has not reached it yet
                },
                seen => seen.Item1.Count > 0 || seen.Item2,
                GrainCluster.Deadline,
                "new assignments or the end of the run");
            if (open.Count == 0)
            {
                break;
            }
            foreach (var row in open)
            {
                finished.Add(row.Key);
            }
            await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (row, _) =>
                await Cluster.RunAssignmentAsync(row, failing.Contains(row.Partition) ? 1 : 0));
            // Some of this round's reports arrive a second time, while the step still counts.
            if (positions.Count == 0)
            {
                positions = Cluster.Storage.Rows(IndexKinds.StepTarget).Where(r => r.Partition == "run-fleet:0/1")
                    .ToDictionary(r => r.Data!, r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
            }
            foreach (var row in open.Take(5))
            {
                var host = row.Partition;
                var status = failing.Contains(host) ? TargetStatus.Failed : TargetStatus.Succeeded;
                await step.OnTargetFinished(new TargetReport(host, 1, status, failing.Contains(host) ? 1 : 0, false, null, positions[host]));
                resent++;
            }
        }

        var run = await Cluster.WaitInstanceAsync("run-fleet", v => v.Status.IsFinal(), "the run to end");
        Assert.Equal(ExecutionStatus.Succeeded, run!.Status);
        var view = await step.GetAsync();
        Assert.Equal((ExecutionStatus.Succeeded, Hosts, Hosts, Hosts - failing.Count, failing.Count, 0),
            (view!.Status, view.TotalTargets, view.Dispatched, view.Succeeded, view.Failed, view.NotStarted));
        Assert.True(resent >= 50, $"only {resent} reports were sent twice");
        Assert.Equal(Hosts, finished.Count);
        Assert.InRange(mostOpen, 1, Parallelism);
        // Every target ran once and ended as its agent said; the index agrees with the counters.
        var targets = Cluster.Storage.Rows(IndexKinds.Target).Where(r => r.Partition == "run-fleet:0").ToList();
        Assert.Equal(Hosts, targets.Count);
        Assert.Equal(failing.Order(StringComparer.Ordinal), targets.Where(r => r.Status == (int)TargetStatus.Failed).Select(r => r.Key));
        Assert.Equal(Hosts - failing.Count, targets.Count(r => r.Status == (int)TargetStatus.Succeeded));
        Assert.Empty(Cluster.Storage.Rows(IndexKinds.Assignment));
    }
}
