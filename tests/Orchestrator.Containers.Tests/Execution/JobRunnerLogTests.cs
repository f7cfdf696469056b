using Orchestrator.Containers.Execution;
using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Containers.Tests.Execution;

/// <summary>
/// Pod logs and watches through broken streams, against a FAKE API server (<see cref="FakeCluster"/>: no real one can
/// run here): every line arrives once, in order, and no Job or pod change is missed.
/// </summary>
public sealed class JobRunnerLogTests
{
    [Fact]
    public async Task RunAsync_StreamsDroppedAndHistoryCompacted_EveryLineOnceAndTheEndSeen()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);

        var run = harness.Start(new JobRunRequest(RunHarness.Job("chatty", completions: 2, parallelism: 2)));
        var pods = await harness.RunningPods("chatty", 2);
        cluster.Log(pods[0], "a1", "a2", "a3");
        cluster.Log(pods[1], "b1");
        await harness.Lines(pods[0], 3);
        await harness.Lines(pods[1], 1);

        cluster.CompactHistory();
        await cluster.DropStreamsAsync();
        cluster.Log(pods[0], "a4", "a5");
        cluster.Log(pods[0], "a6");
        cluster.Succeed(pods[0]);
        await cluster.DropStreamsAsync();
        cluster.Log(pods[1], "b2");
        cluster.Succeed(pods[1]);
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(["a1", "a2", "a3", "a4", "a5", "a6"], harness.LinesOf(pods[0]));
        Assert.Equal(["b1", "b2"], harness.LinesOf(pods[1]));
        Assert.True(harness.Notices.Any(n => n.Contains("410 Gone", StringComparison.Ordinal)), string.Join("\n", harness.Notices) + "\n" + string.Join("\n", cluster.Requests));
        Assert.Empty(cluster.Errors);
    }

    [Fact]
    public async Task RunAsync_JobEndsBeforeItsPodIsSeen_ThePodsAreReadAgainAndItsLogDelivered()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);
        cluster.HoldPodReads();

        var run = harness.Start(new JobRunRequest(RunHarness.Job("quick")));
        var pod = Assert.Single(await harness.RunningPods("quick", 1));
        cluster.Log(pod, "the only line");
        cluster.Succeed(pod);
        // The Job's watch saw it complete while the pods' first list still waits: the runner lists the pods again.
        await Eventually.Until(() => Task.FromResult(cluster.Requests.Count(r => r.StartsWith("GET /api/v1/namespaces/default/pods?", StringComparison.Ordinal) && !r.Contains("watch=true", StringComparison.Ordinal))),
            lists => lists >= 2, RunHarness.Timeout, "the pods listed again after the Job's end");
        cluster.ReleasePodReads();
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(["the only line"], harness.LinesOf(pod));
    }

    [Fact]
    public async Task RunAsync_ClusterRefusesThenComesBack_RunResumesAndLogsAreComplete()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);

        var run = harness.Start(new JobRunRequest(RunHarness.Job("patient")));
        var pod = Assert.Single(await harness.RunningPods("patient", 1));
        cluster.Log(pod, "before");
        await harness.Lines(pod, 1);
        await cluster.RefuseConnectionsAsync();
        cluster.Log(pod, "during");
        cluster.Succeed(pod);
        await Eventually.Until(() => Task.FromResult(harness.Notices.ToList()), n => n.Any(m => m.Contains("retrying", StringComparison.Ordinal)), RunHarness.Timeout, "the runner noticing the cluster is gone");
        await cluster.RestoreAsync();
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(["before", "during"], harness.LinesOf(pod));
    }

    [Fact]
    public async Task RunAsync_LogPastTheCap_OneTruncatedMarkerAndNothingAfter()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var options = new JobRunOptions { ReconnectDelay = TimeSpan.FromMilliseconds(20), LogBytesPerPod = 20 };
        using var harness = new RunHarness(cluster, options);

        var run = harness.Start(new JobRunRequest(RunHarness.Job("loud")));
        var pod = Assert.Single(await harness.RunningPods("loud", 1));
        cluster.Log(pod, "0123456789", "abcdefgh", "overflow", "more");
        await Eventually.Until(() => Task.FromResult(harness.Logs.ToList()), l => l.Any(c => c.Kind == PodLogChunkKind.Truncated), RunHarness.Timeout, "the truncated marker");
        cluster.Log(pod, "after the cap");
        cluster.Succeed(pod);
        await RunHarness.Ended(run);

        Assert.Equal(["0123456789", "abcdefgh"], harness.LinesOf(pod));
        var marker = Assert.Single(harness.Logs, c => c.Kind == PodLogChunkKind.Truncated);
        Assert.Contains("truncated at 20 bytes", marker.Text, StringComparison.Ordinal);
    }
}
