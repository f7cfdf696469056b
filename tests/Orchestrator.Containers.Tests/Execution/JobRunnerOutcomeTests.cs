using k8s.Models;
using Orchestrator.Containers.Execution;
using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Containers.Tests.Execution;

/// <summary>
/// How a Job's end maps to an outcome, run by the real <c>KubernetesClient</c> against a FAKE API server
/// (<see cref="FakeCluster"/>: no real one can run here), whose pods succeed, fail or are evicted on the test's command.
/// </summary>
public sealed class JobRunnerOutcomeTests
{
    [Fact]
    public async Task RunAsync_PodSucceeds_SucceededWithProgressAndLogs()
    {
        await using var cluster = await FakeCluster.StartAsync("east");
        using var harness = new RunHarness(cluster);

        var run = harness.Start(new JobRunRequest(RunHarness.Job("backup-1")));
        var pod = Assert.Single(await harness.RunningPods("backup-1", 1));
        cluster.Log(pod, "dumping", "done");
        await harness.Lines(pod, 2);
        cluster.Succeed(pod);
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(new JobProgress(0, 1, 0), outcome.Progress);
        Assert.Contains(new JobProgress(1, 0, 0), harness.Progress);
        Assert.Equal(["dumping", "done"], harness.LinesOf(pod));
        Assert.Equal([true], harness.CreatedFlags);
        Assert.Equal(1, cluster.JobCreations("backup-1"));
    }

    [Fact]
    public async Task RunAsync_ThreeCompletionsParallelismTwo_TwoPodsAtATimeUntilThreeSucceed()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);

        var run = harness.Start(new JobRunRequest(RunHarness.Job("shards", completions: 3, parallelism: 2)));
        var first = await harness.RunningPods("shards", 2);
        cluster.Succeed(first[0]);
        var second = await Eventually.Until(() => Task.FromResult(cluster.RunningPodsOf("shards")), p => p.Count == 2 && !p.Contains(first[0]), RunHarness.Timeout, "a third pod after one of two succeeded");
        foreach (var pod in second)
        {
            cluster.Succeed(pod);
        }
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(new JobProgress(0, 3, 0), outcome.Progress);
        Assert.Equal(3, cluster.PodsOf("shards").Count);
        Assert.DoesNotContain(harness.Progress, p => p.Active > 2);
    }

    [Fact]
    public async Task RunAsync_PodsFailPastBackoffLimit_FailedWithTheLastPodsExitCode()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);

        var run = harness.Start(new JobRunRequest(RunHarness.Job("migrate", backoffLimit: 1)));
        var first = Assert.Single(await harness.RunningPods("migrate", 1));
        cluster.Fail(first, 3);
        var retry = await Eventually.Until(() => Task.FromResult(cluster.RunningPodsOf("migrate")), p => p.Count == 1 && p[0] != first, RunHarness.Timeout, "the retry pod");
        cluster.Fail(retry[0], 4);
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("BackoffLimitExceeded", outcome.Reason);
        Assert.Equal(4, outcome.ExitCode);
        Assert.Equal(retry[0], outcome.Pod);
        Assert.Equal(2, outcome.Progress.Failed);
        Assert.Contains($"pod {retry[0]} exited 4 (Error)", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DeadlineExceeded_DeadlineOutcomeAndPodsStopped()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);

        var run = harness.Start(new JobRunRequest(RunHarness.Job("slow", activeDeadlineSeconds: 60)));
        var pod = Assert.Single(await harness.RunningPods("slow", 1));
        cluster.ExceedDeadline("slow");
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.DeadlineExceeded, outcome.Kind);
        Assert.Equal("DeadlineExceeded", outcome.Reason);
        Assert.Null(outcome.ExitCode);
        Assert.False(cluster.PodExists(pod));
    }

    [Fact]
    public async Task RunAsync_PodFailurePolicyFailJob_FailsAtOnceWithoutRetries()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);
        var policy = new V1PodFailurePolicy
        {
            Rules = [new V1PodFailurePolicyRule { Action = "FailJob", OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement { OperatorProperty = "In", Values = [42], ContainerName = "main" } }],
        };

        var run = harness.Start(new JobRunRequest(RunHarness.Job("strict", backoffLimit: 6, podFailurePolicy: policy)));
        var pod = Assert.Single(await harness.RunningPods("strict", 1));
        cluster.Fail(pod, 42);
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("PodFailurePolicy", outcome.Reason);
        Assert.Equal(42, outcome.ExitCode);
        Assert.Equal(pod, outcome.Pod);
        Assert.Single(cluster.PodsOf("strict"));
    }

    [Fact]
    public async Task RunAsync_PodEvictedUnderIgnoreRule_JobControllerRetriesAndRunSucceeds()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);
        var policy = new V1PodFailurePolicy
        {
            Rules = [new V1PodFailurePolicyRule { Action = "Ignore", OnPodConditions = [new V1PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }] }],
        };

        var run = harness.Start(new JobRunRequest(RunHarness.Job("evictable", backoffLimit: 0, podFailurePolicy: policy)));
        var evicted = Assert.Single(await harness.RunningPods("evictable", 1));
        cluster.Evict(evicted);
        var replacement = await Eventually.Until(() => Task.FromResult(cluster.RunningPodsOf("evictable")), p => p.Count == 1 && p[0] != evicted, RunHarness.Timeout, "the replacement pod");
        cluster.Succeed(replacement[0]);
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(new JobProgress(0, 1, 0), outcome.Progress);
    }

    [Fact]
    public async Task RunAsync_PodEvictedWithoutPolicy_CountsAsAFailureAgainstBackoffLimit()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);

        var run = harness.Start(new JobRunRequest(RunHarness.Job("fragile", backoffLimit: 0)));
        var pod = Assert.Single(await harness.RunningPods("fragile", 1));
        cluster.Evict(pod);
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("BackoffLimitExceeded", outcome.Reason);
        Assert.Contains("(Evicted)", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ImagePullBackOffPastGrace_ImagePullFailedAndJobDeleted()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        var options = new JobRunOptions { ImagePullGrace = TimeSpan.FromMinutes(2), ReconnectDelay = TimeSpan.Zero };
        using var harness = new RunHarness(cluster, options, time);
        cluster.FailPullsOf("registry.example/typo:1.0");

        var run = harness.Start(new JobRunRequest(RunHarness.Job("typo", image: "registry.example/typo:1.0")));
        await Eventually.Until(() => Task.FromResult(harness.Notices.ToList()), n => n.Any(m => m.Contains("cannot pull its image", StringComparison.Ordinal)), RunHarness.Timeout, "the pull error seen");
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(run.IsCompleted, "the run ended before the grace was over");
        time.Advance(TimeSpan.FromMinutes(1));
        var outcome = await run.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : throw new InvalidOperationException(string.Join("\n", cluster.Errors), t.Exception)).WaitAsync(RunHarness.Timeout);

        Assert.Empty(cluster.Errors);
        Assert.Equal(JobOutcomeKind.ImagePullFailed, outcome.Kind);
        Assert.Equal("ImagePullBackOff", outcome.Reason);
        Assert.Contains("registry.example/typo:1.0", outcome.Message, StringComparison.Ordinal);
        Assert.Equal([("typo", "Background")], cluster.JobDeletes);
        Assert.Null(cluster.Job("typo"));
    }

    [Fact]
    public async Task RunAsync_TwoClusters_EachRunsItsOwnJobToItsOwnEnd()
    {
        await using var east = await FakeCluster.StartAsync("east");
        await using var west = await FakeCluster.StartAsync("west");
        using var onEast = new RunHarness(east);
        using var onWest = new RunHarness(west);

        var eastRun = onEast.Start(new JobRunRequest(RunHarness.Job("fanout", backoffLimit: 0)));
        var westRun = onWest.Start(new JobRunRequest(RunHarness.Job("fanout", backoffLimit: 0)));
        var eastPod = Assert.Single(await onEast.RunningPods("fanout", 1));
        var westPod = Assert.Single(await onWest.RunningPods("fanout", 1));
        east.Succeed(eastPod);
        west.Fail(westPod, 2);

        Assert.Equal(JobOutcomeKind.Succeeded, (await RunHarness.Ended(eastRun)).Kind);
        var westOutcome = await RunHarness.Ended(westRun);
        Assert.Equal(JobOutcomeKind.Failed, westOutcome.Kind);
        Assert.Equal(2, westOutcome.ExitCode);
        Assert.Equal(1, east.JobCreations("fanout"));
        Assert.Equal(1, west.JobCreations("fanout"));
    }
}
