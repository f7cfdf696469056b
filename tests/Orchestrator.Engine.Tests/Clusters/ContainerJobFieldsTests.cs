using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Clusters;

/// <summary>
/// The Job fields of a container step reach the Job and Kubernetes' handling of them decides the target: completions
/// and parallelism, back-off retries, a pod failure policy, an evicted pod, Indexed completion. Real silos and API,
/// against FAKE Kubernetes API servers (<see cref="Containers.Tests.Fake.FakeCluster"/>: no real API server can run
/// here) whose Job controller honours these fields as Kubernetes does.
/// </summary>
[Collection(ContainerClustersCollection.Name)]
public sealed class ContainerJobFieldsTests(ContainerClustersFixture fixture)
{
    private static readonly TimeSpan Wait = ContainerClustersFixture.Wait;

    private EngineHarness H => fixture.Harness;

    private static string Plan(string name, params string[] fields) => $"""
        name: {name}
        steps:
          - name: job
            targets: {"{"}clusters: [eu-1]{"}"}
            container:
              image: busybox:1.36
        {string.Concat(fields.Select(f => "      " + f + "\n"))}
        """;

    [Fact]
    public async Task Run_ThreeCompletionsTwoAtATime_SucceedsAfterAllWithEveryPodsLogReadable()
    {
        var id = await H.RunAsync(await H.PutPlanAsync(Plan("completions", "completions: 3", "parallelism: 2")));
        var job = await ContainerClustersFixture.JobAsync(H, id, "eu-1");
        var spec = fixture.Eu1.Job(job)!.Spec;
        Assert.Equal((3, 2), (spec.Completions, spec.Parallelism));

        var firstTwo = await ContainerClustersFixture.RunningPodsAsync(fixture.Eu1, job, 2);
        foreach (var pod in firstTwo)
        {
            fixture.Eu1.Log(pod, $"hello from {pod}");
        }
        fixture.Eu1.Succeed(firstTwo[0]);
        var third = (await ContainerClustersFixture.RunningPodsAsync(fixture.Eu1, job, 2)).Single(p => p != firstTwo[1]);
        fixture.Eu1.Log(third, $"hello from {third}");
        Assert.Equal("running", EngineHarness.StatusOf(await H.GetInstanceAsync(id)));
        fixture.Eu1.Succeed(firstTwo[1]);
        fixture.Eu1.Succeed(third);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        var pods = firstTwo.Append(third).ToList();
        Assert.Equal(pods.Order(StringComparer.Ordinal), fixture.Eu1.PodsOf(job).Order(StringComparer.Ordinal));
        var target = await H.GetTargetAsync(id, 0, "eu-1");
        Assert.Equal(pods.Order(StringComparer.Ordinal), target["container"]!["pods"]!.AsArray().Select(p => p!["pod"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(3, target["container"]!["succeeded"]!.GetValue<int>());
        foreach (var pod in pods)
        {
            var log = await PodLogAsync(id, pod);
            Assert.True(log["complete"]!.GetValue<bool>(), log.ToJsonString());
            Assert.Equal($"hello from {pod}\n", string.Concat(log["chunks"]!.AsArray().Select(c => c!["text"]!.GetValue<string>())));
        }
        Assert.Equal(1, fixture.Eu1.JobCreations(job));
    }

    [Fact]
    public async Task Run_FirstPodFailsWithinBackoffLimit_KubernetesRetriesAndTheTargetSucceeds()
    {
        var id = await H.RunAsync(await H.PutPlanAsync(Plan("backoff-ok", "backoffLimit: 1")));
        var (job, first) = await fixture.RunningPodAsync(fixture.Eu1, id, "eu-1");

        fixture.Eu1.Fail(first, 2);
        var second = (await ContainerClustersFixture.RunningPodsAsync(fixture.Eu1, job, 1)).Single();
        fixture.Eu1.Succeed(second);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.NotEqual(first, second);
        var target = await H.GetTargetAsync(id, 0, "eu-1");
        Assert.Equal(1, target["run"]!.GetValue<int>()); // Kubernetes retried the pod: the same run, the same Job
        Assert.Equal((1, 1), (target["container"]!["succeeded"]!.GetValue<int>(), target["container"]!["failed"]!.GetValue<int>()));
        Assert.Equal(1, fixture.Eu1.JobCreations(job));
    }

    [Fact]
    public async Task Run_BackoffLimitExhausted_FailsWithTheLastPodsExitCode()
    {
        var id = await H.RunAsync(await H.PutPlanAsync(Plan("backoff-spent", "backoffLimit: 1")));
        var (job, first) = await fixture.RunningPodAsync(fixture.Eu1, id, "eu-1");

        fixture.Eu1.Fail(first, 2);
        var second = (await ContainerClustersFixture.RunningPodsAsync(fixture.Eu1, job, 1)).Single();
        fixture.Eu1.Fail(second, 5);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        var attempt = (await H.GetTargetAsync(id, 0, "eu-1"))["attempts"]![0]!;
        Assert.Equal(("failed", 5), (attempt["status"]!.GetValue<string>(), attempt["exitCode"]!.GetValue<int>()));
        Assert.Contains("BackoffLimitExceeded", attempt["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains($"pod {second} exited 5", attempt["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal([first, second], fixture.Eu1.PodsOf(job));
    }

    [Fact]
    public async Task Run_ExitCodeMatchingAFailJobRule_FailsAtOnceWithTheReason()
    {
        var id = await H.RunAsync(await H.PutPlanAsync(Plan("fail-job", "backoffLimit: 3",
            "podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {containerName: main, operator: In, values: [42]}}]}")));
        var (job, pod) = await fixture.RunningPodAsync(fixture.Eu1, id, "eu-1");

        fixture.Eu1.Fail(pod, 42);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        var attempt = (await H.GetTargetAsync(id, 0, "eu-1"))["attempts"]![0]!;
        Assert.Equal(42, attempt["exitCode"]!.GetValue<int>());
        Assert.Contains("PodFailurePolicy", attempt["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal([pod], fixture.Eu1.PodsOf(job)); // no pod retried, although the back-off limit had room
        Assert.Equal("FailJob", fixture.Eu1.Job(job)!.Spec.PodFailurePolicy.Rules[0].Action);
    }

    [Fact]
    public async Task Run_PodEvictedUnderAnIgnoreRule_IsReplacedWithoutCountingAndTheTargetSucceeds()
    {
        var id = await H.RunAsync(await H.PutPlanAsync(Plan("evicted", "backoffLimit: 0",
            "podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]}")));
        var (job, evicted) = await fixture.RunningPodAsync(fixture.Eu1, id, "eu-1");

        fixture.Eu1.Log(evicted, "working");
        fixture.Eu1.Evict(evicted);
        var replacement = (await ContainerClustersFixture.RunningPodsAsync(fixture.Eu1, job, 1)).Single();
        fixture.Eu1.Log(replacement, "done");
        fixture.Eu1.Succeed(replacement);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.NotEqual(evicted, replacement);
        Assert.Equal("working\n", string.Concat((await PodLogAsync(id, evicted))["chunks"]!.AsArray().Select(c => c!["text"]!.GetValue<string>())));
        Assert.Equal("done\n", string.Concat((await PodLogAsync(id, replacement))["chunks"]!.AsArray().Select(c => c!["text"]!.GetValue<string>())));
    }

    [Fact]
    public async Task Run_IndexedJob_EachPodGetsItsIndexAndAFailedIndexIsRunAgain()
    {
        var id = await H.RunAsync(await H.PutPlanAsync(Plan("indexed", "completionMode: Indexed", "completions: 3", "parallelism: 3", "backoffLimit: 1")));
        var job = await ContainerClustersFixture.JobAsync(H, id, "eu-1");
        Assert.Equal("Indexed", fixture.Eu1.Job(job)!.Spec.CompletionMode);
        var pods = await ContainerClustersFixture.RunningPodsAsync(fixture.Eu1, job, 3);
        var byIndex = pods.ToDictionary(Index);
        Assert.Equal([0, 1, 2], byIndex.Keys.Order());
        Assert.All(pods, p => Assert.Contains(fixture.Eu1.Pod(p)!.Spec.Containers[0].Env, e => e.Name == "JOB_COMPLETION_INDEX"));

        fixture.Eu1.Fail(byIndex[1], 1);
        var again = (await Eventually.Until(() => Task.FromResult(fixture.Eu1.RunningPodsOf(job)), p => p.Count == 3 && !p.Contains(byIndex[1]), Wait, "index 1 run again"))
            .Single(p => !pods.Contains(p));
        Assert.Equal(1, Index(again));
        Assert.Equal("running", EngineHarness.StatusOf(await H.GetInstanceAsync(id)));
        foreach (var pod in fixture.Eu1.RunningPodsOf(job))
        {
            fixture.Eu1.Succeed(pod);
        }
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Equal("0-2", fixture.Eu1.Job(job)!.Status.CompletedIndexes);
        Assert.Equal(1, fixture.Eu1.JobCreations(job));
    }

    private int Index(string pod) => int.Parse(fixture.Eu1.Pod(pod)!.Metadata.Annotations["batch.kubernetes.io/job-completion-index"], System.Globalization.CultureInfo.InvariantCulture);

    private async Task<JsonNode> PodLogAsync(string id, string pod) =>
        JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/eu-1/log?pod={pod}"))!;
}
