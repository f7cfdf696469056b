using System.Net.Http.Json;
using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Clusters;

/// <summary>
/// Container steps run as Kubernetes Jobs on registered clusters, through the real silos and API, against two FAKE
/// Kubernetes API servers (<see cref="FakeCluster"/>: no real API server can run here) whose pods the tests make
/// log, succeed, fail, overrun their deadline or fail their image pull.
/// </summary>
[Collection(ContainerClustersCollection.Name)]
public sealed class ContainerStepRunTests(ContainerClustersFixture fixture)
{
    private static readonly TimeSpan Wait = ContainerClustersFixture.Wait;

    private EngineHarness H => fixture.Harness;

    private static string Plan(string name, string targets, string container = "image: busybox:1.36\n      command: [sh, -c, \"echo hi\"]", string? parameters = null) => $"""
        name: {name}
        {parameters ?? ""}
        steps:
          - name: job
            targets: {targets}
            container:
              {container}
        """;

    [Fact]
    public async Task Run_ContainerStep_SucceedsWithThePodsLogMaskedAndComplete()
    {
        var plan = await H.PutPlanAsync(Plan("logs", "{clusters: [eu-1]}", "image: busybox:1.36\n      env: {TOKEN: \"${{ params.token }}\"}", """
            parameters:
              - name: token
                type: secret
            """));
        var id = await H.RunAsync(plan, new { token = "s3cr3t-t0ken" });
        var (job, pod) = await fixture.RunningPodAsync(fixture.Eu1, id, "eu-1");

        fixture.Eu1.Log(pod, "starting dump", "using token s3cr3t-t0ken");
        fixture.Eu1.Log(pod, "done");
        fixture.Eu1.Succeed(pod);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        var target = await H.GetTargetAsync(id, 0, "eu-1");
        Assert.Equal(("succeeded", "container", job), (target["status"]!.GetValue<string>(), target["kind"]!.GetValue<string>(), target["container"]!["job"]!.GetValue<string>()));
        Assert.True(target["container"]!["pods"]!.AsArray().Count > 0, target.ToJsonString() + "\n" + string.Join("\n", fixture.Eu1.Requests.Where(r => r.Contains(pod))));
        Assert.Equal("starting dump\nusing token ***\ndone\n", await H.LogTextAsync(id, 0, "eu-1"));
        var log = JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/eu-1/log?pod={pod}"))!;
        Assert.True(log["complete"]!.GetValue<bool>(), log.ToJsonString());
        Assert.Equal(3, log["chunks"]!.AsArray().Count);
        // The secret went to the cluster as a Secret the Job refers to, never in the Job's spec.
        Assert.DoesNotContain("s3cr3t-t0ken", k8s.KubernetesJson.Serialize(fixture.Eu1.Job(job)), StringComparison.Ordinal);
        Assert.Empty(await H.ListTargetsAsync(id, 0, "running"));
    }

    [Fact]
    public async Task Run_Balanced_PicksTheClusterWithMoreFreeCapacity()
    {
        var plan = await H.PutPlanAsync(Plan("balanced", "{clusters: [eu-1, eu-2]}"));
        var first = await H.RunAsync(plan);
        var (firstJob, firstPod) = await fixture.RunningPodAsync(fixture.Eu1, first, "eu-1"); // equal free capacity: the smaller name

        var second = await H.RunAsync(plan);
        var (_, secondPod) = await fixture.RunningPodAsync(fixture.Eu2, second, "eu-2");     // eu-1 has one Job running now

        Assert.Single(await H.ListTargetsAsync(second, 0));
        fixture.Eu1.Succeed(firstPod);
        fixture.Eu2.Succeed(secondPod);
        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.WaitForInstanceAsync(first, Wait, "succeeded", "failed")));
        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.WaitForInstanceAsync(second, Wait, "succeeded", "failed")));
        Assert.Equal(1, fixture.Eu1.JobCreations(firstJob));
    }

    [Fact]
    public async Task Run_DispatchEach_RunsOneJobPerCluster()
    {
        var plan = await H.PutPlanAsync(Plan("each", "{clusterSelector: region=eu, dispatch: each}"));
        var id = await H.RunAsync(plan);
        var (job1, pod1) = await fixture.RunningPodAsync(fixture.Eu1, id, "eu-1");
        var (job2, pod2) = await fixture.RunningPodAsync(fixture.Eu2, id, "eu-2");

        fixture.Eu1.Succeed(pod1);
        fixture.Eu2.Succeed(pod2);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Equal(["eu-1", "eu-2"], (await H.ListTargetsAsync(id, 0)).Select(t => t!["host"]!.GetValue<string>()));
        Assert.NotEqual(job1, job2);
        Assert.Equal((1, 1), (fixture.Eu1.JobCreations(job1), fixture.Eu2.JobCreations(job2)));
    }

    [Fact]
    public async Task Run_PodFails_TargetFailsWithTheExitCodeAndReason()
    {
        var plan = await H.PutPlanAsync(Plan("fails", "{clusters: [eu-2]}", "image: busybox:1.36\n      backoffLimit: 0"));
        var id = await H.RunAsync(plan);
        var (_, pod) = await fixture.RunningPodAsync(fixture.Eu2, id, "eu-2");

        fixture.Eu2.Fail(pod, 3);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        var attempt = (await H.GetTargetAsync(id, 0, "eu-2"))["attempts"]![0]!;
        Assert.Equal(("failed", 3), (attempt["status"]!.GetValue<string>(), attempt["exitCode"]!.GetValue<int>()));
        var error = attempt["error"]!.GetValue<string>();
        Assert.Contains("BackoffLimitExceeded", error, StringComparison.Ordinal);
        Assert.Contains($"pod {pod} exited 3", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_FailedContainerTarget_RunsANewJobOnTheSameCluster()
    {
        var plan = await H.PutPlanAsync(Plan("retried", "{clusters: [eu-1]}", "image: busybox:1.36\n      backoffLimit: 0"));
        var id = await H.RunAsync(plan);
        var (firstJob, firstPod) = await fixture.RunningPodAsync(fixture.Eu1, id, "eu-1");
        fixture.Eu1.Fail(firstPod, 1);
        Assert.Equal("failed", EngineHarness.StatusOf(await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));

        using (var retry = await H.ControlAsync($"/api/v1/task-instances/{id}/steps/0/retry", new { set = "failed" }))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        }
        var target = await Eventually.Until(() => H.GetTargetAsync(id, 0, "eu-1"), t => t["run"]?.GetValue<int>() == 2 && t["container"]?["job"] is not null, Wait, "the second run's Job");
        var secondJob = target["container"]!["job"]!.GetValue<string>();
        var secondPod = (await Eventually.Until(() => Task.FromResult(fixture.Eu1.RunningPodsOf(secondJob)), p => p.Count > 0, Wait, "a pod of the second Job"))[0];
        fixture.Eu1.Succeed(secondPod);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.NotEqual(firstJob, secondJob);
        Assert.Equal((1, 1), (fixture.Eu1.JobCreations(firstJob), fixture.Eu1.JobCreations(secondJob)));
        Assert.Equal(2, done["steps"]![0]!["attempt"]!.GetValue<int>());
    }

    [Fact]
    public async Task Run_JobPastItsDeadline_TargetTimesOut()
    {
        var plan = await H.PutPlanAsync(Plan("deadline", "{clusters: [eu-1]}", "image: busybox:1.36\n      activeDeadlineSeconds: 600"));
        var id = await H.RunAsync(plan);
        var (job, _) = await fixture.RunningPodAsync(fixture.Eu1, id, "eu-1");

        fixture.Eu1.ExceedDeadline(job);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        var target = await H.GetTargetAsync(id, 0, "eu-1");
        Assert.Equal("timedOut", target["status"]!.GetValue<string>());
        Assert.Contains("DeadlineExceeded", target["attempts"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ImageCannotBePulled_TargetFailsSayingSoAndTheJobIsDeleted()
    {
        fixture.Eu2.FailPullsOf("registry.invalid/nope:1");
        var plan = await H.PutPlanAsync(Plan("pull", "{clusters: [eu-2]}", "image: registry.invalid/nope:1"));
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        var target = await H.GetTargetAsync(id, 0, "eu-2");
        var job = target["container"]!["job"]!.GetValue<string>();
        Assert.StartsWith("image pull failed", target["attempts"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains((job, "Background"), fixture.Eu2.JobDeletes);
    }

    [Fact]
    public async Task Cancel_RunningContainerStep_DeletesTheJobAndEndsCancelled()
    {
        var plan = await H.PutPlanAsync(Plan("cancel", "{clusters: [eu-2]}"));
        var id = await H.RunAsync(plan);
        var (job, pod) = await fixture.RunningPodAsync(fixture.Eu2, id, "eu-2");

        using (var cancel = await H.ControlAsync($"/api/v1/task-instances/{id}/cancel", new { reason = "not today" }))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
        var done = await H.WaitForInstanceAsync(id, Wait, "cancelled", "failed", "succeeded");

        Assert.Equal("cancelled", EngineHarness.StatusOf(done));
        Assert.Contains((job, "Background"), fixture.Eu2.JobDeletes);
        Assert.False(fixture.Eu2.PodExists(pod));
        Assert.Equal("cancelled", (await H.GetTargetAsync(id, 0, "eu-2"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_NoClusterMatches_FailsNamingWhyEachWasPassedOver()
    {
        var plan = await H.PutPlanAsync(Plan("nowhere", "{clusters: [eu-9]}"));
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        Assert.Contains("eu-9 is not registered", done["steps"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ClusterUnreachable_IsMarkedUnhealthyAndNotChosen()
    {
        // A third cluster, much freer than the others, that stops answering: it is the one balanced dispatch would pick.
        await using var eu3 = await FakeCluster.StartAsync("eu-3");
        await fixture.RegisterAsync(H, "eu-3", eu3, new() { ["region"] = "eu" }, capacity: 100);
        try
        {
            await ContainerClustersFixture.WaitForHealthAsync(H, "eu-3", "Healthy");
            await eu3.RefuseConnectionsAsync();
            var health = await ContainerClustersFixture.WaitForHealthAsync(H, "eu-3", "Unhealthy");
            var plan = await H.PutPlanAsync(Plan("unhealthy", "{clusterSelector: region=eu}"));
            var only = await H.PutPlanAsync(Plan("only-eu-3", "{clusters: [eu-3]}"));

            var id = await H.RunAsync(plan);
            var target = await Eventually.Until(async () => await H.ListTargetsAsync(id, 0), t => t.Count > 0, Wait, "the step's target");
            var chosen = target[0]!["host"]!.GetValue<string>();
            var (_, pod) = await fixture.RunningPodAsync(chosen == "eu-1" ? fixture.Eu1 : fixture.Eu2, id, chosen);
            (chosen == "eu-1" ? fixture.Eu1 : fixture.Eu2).Succeed(pod);
            var refused = await H.WaitForInstanceAsync(await H.RunAsync(only), Wait, "succeeded", "failed");

            Assert.False(string.IsNullOrEmpty(health["health"]!["lastError"]?.GetValue<string>()));
            Assert.Contains(chosen, new[] { "eu-1", "eu-2" });
            Assert.Equal("succeeded", EngineHarness.StatusOf(await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));
            Assert.Equal("failed", EngineHarness.StatusOf(refused));
            Assert.Contains("eu-3 is unhealthy", refused["steps"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.DoesNotContain(eu3.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
        }
        finally
        {
            using var _ = await H.Http.DeleteAsync("/api/v1/clusters/eu-3");
        }
    }

    [Fact]
    public async Task HarborJob_NamingAContainerPlan_RunsItsJob_AndServesItsPodsLog()
    {
        var plan = await H.PutPlanAsync(Plan("harbor", "{clusters: [eu-2]}"));
        using var jobs = H.NewClient();
        jobs.DefaultRequestHeaders.Authorization = new("Harbor-Secret", ContainerClustersFixture.JobsSecret);

        using var submitted = await jobs.PostAsJsonAsync("/api/v1/jobs", new { job = new { name = plan, metadata = new { kind = "Generic" } } });
        var answer = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!;
        var accepted = answer["job"] ?? answer; // Harbor's shape: the job under "job"
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = accepted["id"]!.GetValue<string>();
        var (_, pod) = await fixture.RunningPodAsync(fixture.Eu2, id, "eu-2");
        fixture.Eu2.Log(pod, "migrating", "migrated 42 rows");
        fixture.Eu2.Succeed(pod);
        var done = await Eventually.Until(async () => JsonNode.Parse(await jobs.GetStringAsync($"/api/v1/jobs/{id}")) is { } j ? j["job"] ?? j : null,
            j => j?["status"]?.GetValue<string>() is "Success" or "Error", Wait, $"Harbor job {id} finished");
        var log = await jobs.GetStringAsync($"/api/v1/jobs/{id}/log");

        Assert.Equal("Success", done!["status"]!.GetValue<string>());
        Assert.Contains("migrated 42 rows", log, StringComparison.Ordinal);
        Assert.Contains($"eu-2/{pod}", log, StringComparison.Ordinal); // a Job's log names its cluster and pod
    }
}
