using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// A step groups its hosts by output, exit code and status as they report, and a retried host moves from its old
/// group to its new one: the groups always add up to the hosts that reported, never more. The group rows
/// (<see cref="IndexKinds.TargetGroup"/>) follow: a host's row is in its current group's partition only.
/// </summary>
public sealed class StepGroupsTests : GrainClusterTests
{
    [Fact]
    public async Task GetGroupsAsync_FailedHostRetriedAndSucceeding_MovesToTheSucceededGroupCountedOnce()
    {
        foreach (var host in new[] { "g-1", "g-2", "g-3" })
        {
            await Cluster.RegisterHostAsync(host);
        }
        await Cluster.RunAsync("groups", """
            name: groups
            steps:
              - name: only
                targets:
                  hosts: [g-1, g-2, g-3]
                script: echo hi
            """, "run-groups");
        foreach (var (host, exit) in new[] { ("g-1", 0), ("g-2", 0), ("g-3", 1) })
        {
            await Cluster.RunAssignmentAsync(await Cluster.WaitAssignmentAsync(host, _ => true, $"{host}'s assignment"), exitCode: exit);
        }
        await Cluster.WaitInstanceAsync("run-groups", v => v.Status.IsFinal(), "the run to fail");
        var step = Cluster.Client.GetGrain<IStepGrain>("run-groups:0");

        var groups = await step.GetGroupsAsync();
        Assert.Equal(2, groups!.Groups.Count);
        var ok = groups.Groups[0];
        var failed = groups.Groups[1];
        Assert.Equal((2, 0, TargetStatus.Succeeded), (ok.Count, ok.ExitCode, ok.Status));
        Assert.Equal((1, 1, TargetStatus.Failed, "g-3"), (failed.Count, failed.ExitCode, failed.Status, failed.SampleHost));
        Assert.Equal(3, groups.Grouped);
        Assert.Equal(["g-1", "g-2"], GroupRows(ok.Key));
        Assert.Equal(["g-3"], GroupRows(failed.Key));

        await Cluster.Client.GetGrain<ITaskInstanceGrain>("run-groups").RetryStep(new RetryStep("retry-1", 0, AttemptSet.Failed, "tester"));
        await Cluster.RunAssignmentAsync(await Cluster.WaitAssignmentAsync("g-3", r => r.Key.EndsWith("#2", StringComparison.Ordinal), "g-3's second run"), exitCode: 0);
        var run = await Cluster.WaitInstanceAsync("run-groups", v => v.Status == ExecutionStatus.Succeeded, "the retried run to succeed");
        Assert.NotNull(run);

        groups = await step.GetGroupsAsync();
        var only = Assert.Single(groups!.Groups);
        Assert.Equal((ok.Key, 3, 3, 2), (only.Key, only.Count, groups.Grouped, groups.Attempt));
        Assert.Equal(["g-1", "g-2", "g-3"], GroupRows(ok.Key));
        Assert.Empty(GroupRows(failed.Key));
    }

    [Fact]
    public async Task Delete_FinishedInstance_DeletesItsTargetGroupRows()
    {
        await Cluster.RegisterHostAsync("gd-1");
        await Cluster.RunAsync("groups-delete", """
            name: groups-delete
            steps:
              - name: only
                targets:
                  hosts: [gd-1]
                script: echo hi
            """, "run-groups");
        await Cluster.RunAssignmentAsync(await Cluster.WaitAssignmentAsync("gd-1", _ => true, "gd-1's assignment"), exitCode: 0);
        await Cluster.WaitInstanceAsync("run-groups", v => v.Status.IsFinal(), "the run to end");
        Assert.Single(Cluster.Storage.Rows(IndexKinds.TargetGroup), r => r.Partition.StartsWith("run-groups:0/", StringComparison.Ordinal) && r.Key == "gd-1");

        await Cluster.Client.GetGrain<ITaskInstanceGrain>("run-groups").Delete(new DeleteInstance(Cluster.NewRequestId(), "test", null));
        await Eventually.Until(() => Task.FromResult(Cluster.Storage.Rows(IndexKinds.TargetGroup).Count(r => r.Partition.StartsWith("run-groups:", StringComparison.Ordinal))),
            n => n == 0, GrainCluster.Deadline, "the target's group row to go with it");
    }

    private List<string> GroupRows(string group) =>
        [.. Cluster.Storage.Rows(IndexKinds.TargetGroup).Where(r => r.Partition == IndexKinds.TargetGroupPartition("run-groups:0", group)).Select(r => r.Key).Order(StringComparer.Ordinal)];
}
