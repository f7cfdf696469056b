using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Engine.Tests.Clusters;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>
/// Retention archives a container target's pod logs of every run, not only its last: a run that failed and its retry
/// are both in the archive. Real silo, API and PostgreSQL on a clock the test moves, against a FAKE Kubernetes API
/// server (<see cref="FakeCluster"/>: no real one can run here).
/// </summary>
public sealed class ContainerArchiveTests
{
    [Fact]
    public async Task Pass_ContainerTargetRetried_ArchivesThePodLogsOfEachRun()
    {
        var dir = Directory.CreateTempSubdirectory("orch-k8s-archive-").FullName;
        var archive = Path.Combine(dir, "archive");
        var clock = new ManualTimeProvider(TimeProvider.System.GetUtcNow());
        await using var fake = await FakeCluster.StartAsync("arch-1");
        await using var h = await ContainerClustersFixture.StartOnClockAsync("containerarchive", clock, dir, "arch-1", fake, retention: o =>
        {
            o.ArchiveDirectory = archive;
            o.RetentionBatchPause = TimeSpan.Zero;
        });
        try
        {
            var plan = await h.PutPlanAsync("""
                name: migrate
                steps:
                  - name: migrate
                    targets: {clusters: [arch-1]}
                    container: {image: "registry.example.com/app:2", backoffLimit: 0}
                """);
            var id = await h.RunAsync(plan);
            var firstJob = await ContainerClustersFixture.JobAsync(h, id, "arch-1");
            var firstPod = (await ContainerClustersFixture.RunningPodsAsync(fake, firstJob, 1)).Single();
            fake.Log(firstPod, "first run: lock timeout");
            fake.Fail(firstPod, 1);
            Assert.Equal("failed", EngineHarness.StatusOf(await h.WaitForInstanceAsync(id, ContainerClustersFixture.Wait, "succeeded", "failed")));
            using (var retry = await h.ControlAsync($"/api/v1/task-instances/{id}/steps/0/retry", new { set = "failed" }))
            {
                Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            }
            var secondJob = await ContainerClustersFixture.JobAsync(h, id, "arch-1", run: 2);
            var secondPod = (await ContainerClustersFixture.RunningPodsAsync(fake, secondJob, 1)).Single();
            fake.Log(secondPod, "second run: migrated");
            fake.Succeed(secondPod);
            Assert.Equal("succeeded", EngineHarness.StatusOf(await h.WaitForInstanceAsync(id, ContainerClustersFixture.Wait, "succeeded", "failed")));

            // The first run's pod stays listed (in its attempt) and readable without naming it.
            var target = await h.GetTargetAsync(id, 0, "arch-1");
            Assert.Equal(firstPod, target["attempts"]![0]!["pods"]![0]!["pod"]!.GetValue<string>());
            var firstLog = JsonNode.Parse(await h.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/arch-1/log?run=1"))!;
            Assert.True(firstLog["complete"]!.GetValue<bool>(), firstLog.ToJsonString());
            Assert.Equal("first run: lock timeout\n", Text(firstLog["chunks"]!.AsArray()));

            clock.Advance(TimeSpan.FromDays(31));
            await RetentionPassTests.WaitForPassAsync(h);

            var lines = ArchiveFiles.Read(archive, "instances").Select(l => l.Line).Where(l => l["instance"]!.GetValue<string>() == id).ToList();
            var logs = lines.Where(l => RetentionPassTests.Type(l) == "log").ToDictionary(l => l["stream"]!.GetValue<string>(), l => Text(l["chunks"]!.AsArray()));
            var targetKey = GrainKeys.Target(GrainKeys.Step(id, 0), "arch-1");
            Assert.Equal("first run: lock timeout\n", logs[GrainKeys.PodLogStream(targetKey, 1, firstPod)]);
            Assert.Equal("second run: migrated\n", logs[GrainKeys.PodLogStream(targetKey, 2, secondPod)]);
            await RetentionSpec.WaitAbsentAsync(h, id, ContainerClustersFixture.Wait);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Text(JsonArray chunks) => string.Concat(chunks.Select(c => c!["text"]!.GetValue<string>()));
}
