using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Clusters;

/// <summary>
/// A silo dies while a container target watches its Job (on a FAKE Kubernetes API server: no real one can run here).
/// The target wakes on the other silo (by its own wake-up: the test reads nothing meanwhile), calls the runner again with the Job's recorded name, attaches to it (the create
/// answers 409) and resumes each pod's log after the last stored line: one Job, every line once.
/// </summary>
public sealed class ContainerSiloKillTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task KillSilo_MidJob_TheRunCompletesOnOneJobWithEveryLogLineOnce()
    {
        await using var fake = await FakeCluster.StartAsync("eu-k");
        var dir = Directory.CreateTempSubdirectory("orch-k8s-").FullName;
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("ctrkill"), silos: 2, siloServices: ContainerClustersFixture.FastContainers,
            durable: d => (d.SweepInterval, d.SweepGrace) = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
        await ContainerClustersFixture.RegisterAsync(h, dir, "eu-k", fake, new() { ["region"] = "eu" }, capacity: 5);
        await ContainerClustersFixture.WaitForHealthAsync(h, "eu-k", "Healthy");
        var plan = await h.PutPlanAsync("""
            name: survive
            steps:
              - name: migrate
                targets: {clusters: [eu-k]}
                container:
                  image: busybox:1.36
            """);
        var id = await h.RunAsync(plan);
        var target = await Eventually.Until(() => h.GetTargetAsync(id, 0, "eu-k"), t => t["container"]?["job"] is not null, Wait, "the target's Job");
        var job = target["container"]!["job"]!.GetValue<string>();
        var pod = (await Eventually.Until(() => Task.FromResult(fake.RunningPodsOf(job)), p => p.Count > 0, Wait, "a running pod"))[0];
        fake.Log(pod, "step 1", "step 2");
        await Eventually.Until(() => LogAsync(h, id, pod), log => log == "step 1\nstep 2\n", Wait, "the first lines stored");
        var grain = h.Cluster.Client.GetGrain<IContainerTargetGrain>(GrainKeys.Target(GrainKeys.Step(id, 0), "eu-k"));
        var holder = await Eventually.Until(() => h.Cluster.SiloHoldingAsync(grain), s => s is not null, Wait, "the silo holding the target");

        await h.Cluster.KillSiloAsync(holder!);
        // Nothing reads the target now: its own wake-up (through the sweeper) brings it back on the surviving silo, and
        // its runner asks to create the Job again, which answers 409.
        await Eventually.Until(() => Task.FromResult(fake.Requests.Count(r => r.StartsWith("POST /apis/batch/v1/namespaces/default/jobs", StringComparison.Ordinal))),
            posts => posts >= 2, Wait, "the re-activated target's second create of the Job");
        fake.Log(pod, "step 3");
        // The watch on the surviving silo reads the pod's log from the start and skips what was stored.
        await Eventually.Until(() => LogAsync(h, id, pod), log => log.EndsWith("step 3\n", StringComparison.Ordinal), Wait, "the line written after the kill stored");
        fake.Log(pod, "step 4");
        fake.Succeed(pod);
        var done = await h.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.NotEqual(holder!.SiloAddress, (await h.Cluster.SiloHoldingAsync(grain))?.SiloAddress);
        Assert.Equal(1, fake.JobCreations(job));
        Assert.Single(fake.PodsOf(job));
        Assert.Equal("step 1\nstep 2\nstep 3\nstep 4\n", await LogAsync(h, id, pod));
        Assert.Equal(1, (await h.GetTargetAsync(id, 0, "eu-k"))["run"]!.GetValue<int>());
        Directory.Delete(dir, recursive: true);
    }

    private static async Task<string> LogAsync(EngineHarness h, string id, string pod)
    {
        using var response = await h.Http.GetAsync($"/api/v1/task-instances/{id}/steps/0/targets/eu-k/log?format=text&pod={pod}");
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "";
    }
}
