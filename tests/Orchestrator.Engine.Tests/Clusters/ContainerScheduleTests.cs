using Orchestrator.Containers.Tests.Fake;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Engine.Tests.Schedules;
using Orchestrator.Runtime.Tests.Infrastructure;
using static Orchestrator.Engine.Tests.Schedules.ScheduleCalls;

namespace Orchestrator.Engine.Tests.Clusters;

/// <summary>
/// A schedule of a container plan is one of our schedules (no CronJob object): its fire starts a run whose Job is
/// created on the cluster. Real silo and API on a clock the test moves, against a FAKE Kubernetes API server
/// (<see cref="FakeCluster"/>: no real one can run here).
/// </summary>
public sealed class ContainerScheduleTests
{
    [Fact]
    public async Task Schedule_OfAContainerPlan_FiresAndTheRunsJobSucceedsOnTheCluster()
    {
        var dir = Directory.CreateTempSubdirectory("orch-k8s-cron-").FullName;
        var clock = new ManualTimeProvider(ScheduleFixture.Epoch);
        await using var fake = await FakeCluster.StartAsync("cron-1");
        await using var h = await ContainerClustersFixture.StartOnClockAsync("containercron", clock, dir, "cron-1", fake);
        try
        {
            var plan = await h.PutPlanAsync("""
                name: nightly-dump
                parameters:
                  - {name: version, default: "1.4.1"}
                steps:
                  - name: dump
                    targets: {clusters: [cron-1]}
                    container:
                      image: "registry.example.com/db-tools:${{ params.version }}"
                      command: [sh, -c, "mysqldump --all-databases | gzip > /backup/dump.sql.gz"]
                      backoffLimit: 0
                """);
            // The CronJob's schedule: 02:00 in Paris, one run at a time, with its own parameters.
            await h.PutScheduleAsync(plan, "nightly", new { cron = "0 2 * * *", timeZone = "Europe/Paris", overlap = "forbid", parameters = new { version = "1.4.2" } });
            var due = new DateTimeOffset(2030, 1, 7, 2, 0, 0, TimeSpan.FromHours(1)); // the epoch's first 02:00 in Paris (UTC+1 in January)

            clock.AdvanceTo(due.AddSeconds(1));
            var fired = await h.WaitForScheduleAsync(plan, "nightly", s => Runs(s).Any(r => r!["dueTime"]?.GetValue<DateTimeOffset>() == due), "the 02:00 fire");
            var id = Runs(fired).Single()!["instanceId"]!.GetValue<string>();
            var job = await ContainerClustersFixture.JobAsync(h, id, "cron-1");
            var pod = (await ContainerClustersFixture.RunningPodsAsync(fake, job, 1)).Single();
            fake.Log(pod, "dump written");
            fake.Succeed(pod);
            var done = await h.WaitForInstanceAsync(id, ContainerClustersFixture.Wait, "succeeded", "failed");

            Assert.Equal("succeeded", EngineHarness.StatusOf(done));
            Assert.Equal("registry.example.com/db-tools:1.4.2", fake.Job(job)!.Spec.Template.Spec.Containers[0].Image);
            Assert.Equal(1, fake.JobCreations(job));
            Assert.Equal("dump written\n", await h.LogTextAsync(id, 0, "cron-1"));
            var after = await h.WaitForScheduleAsync(plan, "nightly", s => !Active(s).Any(), "the run reported finished");
            Assert.Single(Runs(after));
            Assert.Empty(Skipped(after));
            await h.DeleteScheduleAsync(plan, "nightly");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
