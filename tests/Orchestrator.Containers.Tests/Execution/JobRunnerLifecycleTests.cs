using k8s;
using k8s.Models;
using Orchestrator.Containers.Execution;
using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Containers.Tests.Execution;

/// <summary>
/// Create, attach, cancel and an unreachable cluster, against a FAKE API server (<see cref="FakeCluster"/>: no real
/// one can run here) spoken to by the real <c>KubernetesClient</c>.
/// </summary>
public sealed class JobRunnerLifecycleTests
{
    private static V1Secret Secret(string name) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [ContainerSteps.ManagedByLabel] = ContainerSteps.ManagedByValue } },
        StringData = new Dictionary<string, string> { ["DB_PASSWORD"] = "s3cret" },
    };

    [Fact]
    public async Task CancelAsync_RunningJob_DeletedWithBackgroundPropagationAndRunEndsCancelled()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);
        var request = new JobRunRequest(RunHarness.Job("long"), Secret("long-env"));

        var run = harness.Start(request);
        var pod = Assert.Single(await harness.RunningPods("long", 1));
        Assert.True(cluster.HasSecret("long-env"));
        await harness.Runner.CancelAsync("default", "long", "long-env", CancellationToken.None);
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.Cancelled, outcome.Kind);
        Assert.Equal([("long", "Background")], cluster.JobDeletes);
        Assert.Null(cluster.Job("long"));
        Assert.False(cluster.PodExists(pod));
        Assert.False(cluster.HasSecret("long-env"));

        // A second cancel (a retried message) finds nothing and is fine.
        await harness.Runner.CancelAsync("default", "long", "long-env", CancellationToken.None);
    }

    [Fact]
    public async Task RunAsync_WithSecret_JobOwnsTheSecretSoDeletingTheJobTakesIt()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);
        using var client = cluster.Client();

        var run = harness.Start(new JobRunRequest(RunHarness.Job("owned"), Secret("owned-env")));
        cluster.Succeed(Assert.Single(await harness.RunningPods("owned", 1)));
        Assert.Equal(JobOutcomeKind.Succeeded, (await RunHarness.Ended(run)).Kind);
        Assert.Equal(cluster.Job("owned")!.Metadata.Uid, cluster.SecretOwner("owned-env"));

        // What ttlSecondsAfterFinished or an operator's delete does: the garbage collector takes the Secret along.
        await client.BatchV1.DeleteNamespacedJobAsync("owned", "default", propagationPolicy: "Background");
        Assert.False(cluster.HasSecret("owned-env"));
    }

    [Fact]
    public async Task RunAsync_SecondRunnerForTheSameJob_AttachesInsteadOfCreatingASecond()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var first = new RunHarness(cluster);
        using var second = new RunHarness(cluster);
        var request = new JobRunRequest(RunHarness.Job("step-7-east"), Secret("step-7-east-env"));

        // The first silo creates the Job, reads two lines, and dies (its token is cancelled: it stops watching).
        using var silo = new CancellationTokenSource();
        var firstRun = first.Start(request, silo.Token);
        var pod = Assert.Single(await first.RunningPods("step-7-east", 1));
        cluster.Log(pod, "one", "two");
        await first.Lines(pod, 2);
        await silo.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstRun.WaitAsync(RunHarness.Timeout));
        Assert.NotNull(cluster.Job("step-7-east"));
        cluster.Log(pod, "three");

        // The restarted silo runs the same request with the log cursor the first one stored.
        var cursor = first.Logs.Last(c => c.Pod == pod).Cursor!;
        var secondRun = second.Start(request with { LogCursors = new Dictionary<string, PodLogCursor> { [pod] = cursor } });
        await second.Lines(pod, 1);
        cluster.Succeed(pod);
        var outcome = await RunHarness.Ended(secondRun);

        Assert.Equal(JobOutcomeKind.Succeeded, outcome.Kind);
        Assert.Equal(1, cluster.JobCreations("step-7-east"));
        Assert.Equal(cluster.Job("step-7-east")!.Metadata.Uid, cluster.SecretOwner("step-7-east-env"));
        Assert.Equal([true], first.CreatedFlags);
        Assert.Equal([false], second.CreatedFlags);
        Assert.Equal(["one", "two"], first.LinesOf(pod));
        Assert.Equal(["three"], second.LinesOf(pod));
    }

    [Fact]
    public async Task RunAsync_NameTakenByAJobThatIsNotOurs_ConflictAndLeftAlone()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);
        using var client = cluster.Client();
        var foreign = RunHarness.Job("nightly");
        foreign.Metadata.Labels = new Dictionary<string, string> { ["team"] = "data" };
        await client.BatchV1.CreateNamespacedJobAsync(foreign, "default");

        var outcome = await RunHarness.Ended(harness.Start(new JobRunRequest(RunHarness.Job("nightly"))));

        Assert.Equal(JobOutcomeKind.Conflict, outcome.Kind);
        Assert.Contains("nightly", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(1, cluster.JobCreations("nightly"));
        Assert.Empty(cluster.JobDeletes);
        Assert.Equal("data", cluster.Job("nightly")!.Metadata.Labels["team"]);
    }

    [Fact]
    public async Task RunAsync_SecretNameTakenBySomeoneElsesSecret_ConflictAndNoJobCreated()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var harness = new RunHarness(cluster);
        using var client = cluster.Client();
        var foreign = Secret("db-env");
        foreign.Metadata.Labels = new Dictionary<string, string> { ["team"] = "data" };
        await client.CoreV1.CreateNamespacedSecretAsync(foreign, "default");

        var outcome = await RunHarness.Ended(harness.Start(new JobRunRequest(RunHarness.Job("db"), Secret("db-env"))));

        Assert.Equal(JobOutcomeKind.Conflict, outcome.Kind);
        Assert.Contains("Secret named db-env", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(0, cluster.JobCreations("db"));
        Assert.True(cluster.HasSecret("db-env"));
    }

    [Fact]
    public async Task RunAsync_ClusterRefusesConnections_ClusterUnreachableNamingTheCluster()
    {
        await using var cluster = await FakeCluster.StartAsync("down-east");
        await cluster.RefuseConnectionsAsync();
        using var harness = new RunHarness(cluster);

        var outcome = await RunHarness.Ended(harness.Start(new JobRunRequest(RunHarness.Job("nowhere"))));

        Assert.Equal(JobOutcomeKind.ClusterUnreachable, outcome.Kind);
        Assert.Contains("Cluster down-east", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be reached", outcome.Message, StringComparison.Ordinal);
        Assert.Contains(cluster.Address.Host, outcome.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-token", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ApiServerHangs_ClusterUnreachableAfterTheRequestTimeout()
    {
        await using var cluster = await FakeCluster.StartAsync("hung");
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var harness = new RunHarness(cluster, new JobRunOptions { RequestTimeout = TimeSpan.FromSeconds(30) }, time);
        cluster.StopAnswering();

        var run = harness.Start(new JobRunRequest(RunHarness.Job("stuck")));
        await Eventually.Until(() => Task.FromResult(cluster.Requests.Count), n => n == 1, RunHarness.Timeout, "the create to arrive");
        time.Advance(TimeSpan.FromSeconds(30));
        var outcome = await RunHarness.Ended(run);
        await cluster.RestoreAsync();

        Assert.Equal(JobOutcomeKind.ClusterUnreachable, outcome.Kind);
        Assert.Contains("no answer within 00:00:30", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(0, cluster.JobCreations("stuck"));
    }

    [Fact]
    public async Task RunAsync_ClusterUnreachableLongerThanGraceWhileWatching_ClusterUnreachableJobLeftRunning()
    {
        await using var cluster = await FakeCluster.StartAsync("flaky");
        var options = new JobRunOptions { ReconnectDelay = TimeSpan.FromMilliseconds(20), UnreachableGrace = TimeSpan.FromMilliseconds(300) };
        using var harness = new RunHarness(cluster, options);

        var run = harness.Start(new JobRunRequest(RunHarness.Job("orphan")));
        await harness.RunningPods("orphan", 1);
        await Eventually.Until(() => Task.FromResult(harness.Progress.ToList()), p => p.Contains(new JobProgress(1, 0, 0)), RunHarness.Timeout, "the runner seeing the pod active");
        await cluster.RefuseConnectionsAsync();
        var outcome = await RunHarness.Ended(run);

        Assert.Equal(JobOutcomeKind.ClusterUnreachable, outcome.Kind);
        Assert.Equal(new JobProgress(1, 0, 0), outcome.Progress);
        Assert.Empty(cluster.JobDeletes);
        Assert.NotNull(cluster.Job("orphan"));
    }

    [Fact]
    public void ClusterConnection_ToString_NeverShowsTheToken()
    {
        var connection = new ClusterConnection("east", new Uri("https://10.0.0.1:6443")) { Token = "eyJhbGciOiJSUzI1NiJ9.secret" };

        Assert.DoesNotContain("eyJ", connection.ToString(), StringComparison.Ordinal);
        Assert.Contains("token (hidden)", connection.ToString(), StringComparison.Ordinal);
        Assert.Equal("eyJhbGciOiJSUzI1NiJ9.secret", connection.ToClientConfiguration().AccessToken);
    }

    [Fact]
    public void ClusterConnection_ServerAndKubeconfigBoth_RefusedNamingTheCluster()
    {
        var connection = new ClusterConnection("west", new Uri("https://10.0.0.2:6443")) { KubeconfigPath = "/etc/orchestrator/west.kubeconfig" };

        var error = Assert.Throws<ArgumentException>(() => connection.ToClientConfiguration());

        Assert.Contains("Cluster 'west'", error.Message, StringComparison.Ordinal);
    }
}
