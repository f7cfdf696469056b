using System.Net;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Retention;

/// <summary>
/// Finished task instances deleted with their steps' rows, host targets and logs: when the plan's time after
/// finishing is up (on the test's clock), and on request through the API.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class InstanceRetentionTests(FleetFixture fleet)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private EngineHarness H => fleet.Harness;

    [Fact]
    public async Task TtlAfterFinished_Passed_DeletesTheInstanceItsTargetsAndLogs_NotBefore()
    {
        const string yaml = """
            name: short-lived
            steps:
              - name: greet
                script:
                  source: echo "hello from $ORCH_HOST"
                targets:
                  hosts: [web-1, web-2]
            """;
        var kept = await RetentionSpec.PutPlanAsync(H, yaml, TimeSpan.FromMinutes(10));
        var probe = await RetentionSpec.PutPlanAsync(H, yaml, TimeSpan.FromMinutes(5));
        var id = await H.RunAsync(kept);
        var earlier = await H.RunAsync(probe);
        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));
        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.WaitForInstanceAsync(earlier, Wait, "succeeded", "failed")));
        var streams = RetentionSpec.Streams(id, 0, ["web-1", "web-2"]);
        foreach (var stream in streams)
        {
            Assert.Contains("hello from", string.Concat((await H.Client.Logs.ReadAsync(stream, 0, 100)).Chunks.Select(c => c.Text)));
        }

        fleet.Clock.Advance(TimeSpan.FromMinutes(9));
        // The 5-minute instance going shows the reminders due by now have fired; the 10-minute one is still there.
        await RetentionSpec.WaitAbsentAsync(H, earlier, Wait);
        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.GetInstanceAsync(id)));
        Assert.Single(await H.Client.Indexes.GetAsync(IndexKinds.Instance, "default", [id]));
        Assert.Equal(2, (await H.Client.Indexes.CountByStatusAsync(IndexKinds.Target, GrainKeys.Step(id, 0))).Values.Sum());

        fleet.Clock.Advance(TimeSpan.FromMinutes(2));

        await RetentionSpec.WaitGoneAsync(H, id, [0], ["web-1", "web-2"], streams, Wait);
        await RetentionSpec.WaitGoneAsync(H, earlier, [0], ["web-1", "web-2"], RetentionSpec.Streams(earlier, 0, ["web-1", "web-2"]), Wait);
    }

    [Fact]
    public async Task TtlAfterFinished_InstanceRetriedBeforeItsTime_CountsFromTheLaterFinish()
    {
        var marker = Path.Combine(fleet.Scratch, "ttl-retry-" + Guid.NewGuid().ToString("N")[..6]);
        var plan = await RetentionSpec.PutPlanAsync(H, $$"""
            name: retried
            steps:
              - name: flaky
                script:
                  source: |
                    if [ ! -e {{marker}} ]; then echo "not yet"; exit 1; fi
                    echo "now it works"
                targets:
                  hosts: [web-1]
            """, TimeSpan.FromMinutes(10));
        var id = await H.RunAsync(plan);
        Assert.Equal("failed", EngineHarness.StatusOf(await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));

        fleet.Clock.Advance(TimeSpan.FromMinutes(8));
        await File.WriteAllTextAsync(marker, "");
        using (var retry = await H.ControlAsync($"/api/v1/task-instances/{id}/steps/0/retry", new { set = "failed" }))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        }
        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));
        Assert.Contains("not yet", await H.LogTextAsync(id, 0, "web-1", run: 1));
        var probe = await RetentionSpec.PutPlanAsync(H, """
            name: probe
            steps:
              - name: noop
                script:
                  source: "true"
                targets:
                  hosts: [web-2]
            """, TimeSpan.FromMinutes(3));
        var probeId = await H.RunAsync(probe);
        await H.WaitForInstanceAsync(probeId, Wait, "succeeded", "failed");

        // 11 minutes after the first finish, 3 after the second: the probe going shows reminders due by now have
        // fired, and the instance, counted from its second finish, stays.
        fleet.Clock.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(5));
        await RetentionSpec.WaitAbsentAsync(H, probeId, Wait);
        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.GetInstanceAsync(id)));

        fleet.Clock.Advance(TimeSpan.FromMinutes(7));
        await RetentionSpec.WaitGoneAsync(H, id, [0], ["web-1"], RetentionSpec.Streams(id, 0, ["web-1"], runs: 2), Wait);
    }

    [Fact]
    public async Task Delete_RunningThenFinished_ConflictsThenDeletesEverything()
    {
        var gate = Path.Combine(fleet.Scratch, "gate-" + Guid.NewGuid().ToString("N")[..6]);
        var plan = await H.PutPlanAsync($$"""
            name: gated-delete
            steps:
              - name: first
                script:
                  source: |
                    echo "waiting on $ORCH_HOST"
                    while [ ! -e {{gate}} ]; do sleep 0.1; done
                    echo "done on $ORCH_HOST"
                targets:
                  hosts: [web-1, db-1]
              - name: second
                script:
                  source: echo "second on $ORCH_HOST"
                targets:
                  hosts: [web-2]
            """);
        var id = await H.RunAsync(plan);
        await H.WaitForStepAsync(id, 0, Wait, "running");
        await Eventually.Until(() => H.LogTextAsync(id, 0, "web-1"), t => t.Contains("waiting on web-1", StringComparison.Ordinal), Wait, "web-1's script running");

        using (var running = await DeleteAsync(id))
        {
            Assert.Equal(HttpStatusCode.Conflict, running.StatusCode);
        }
        await File.WriteAllTextAsync(gate, "");
        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));
        Assert.Contains("done on db-1", await H.LogTextAsync(id, 0, "db-1"));
        Assert.Contains("second on web-2", await H.LogTextAsync(id, 1, "web-2"));
        using (var finished = await DeleteAsync(id))
        {
            Assert.Equal(HttpStatusCode.NoContent, finished.StatusCode);
        }
        Assert.Equal("absent", EngineHarness.StatusOf(await H.GetInstanceAsync(id))); // gone from reads at once
        using (var again = await DeleteAsync(id))
        {
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        }
        using (var unknown = await DeleteAsync("never-" + Guid.NewGuid().ToString("N")[..8]))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        await RetentionSpec.WaitGoneAsync(H, id, [0, 1], ["web-1", "db-1", "web-2"],
            [.. RetentionSpec.Streams(id, 0, ["web-1", "db-1"]), .. RetentionSpec.Streams(id, 1, ["web-2"])], Wait);
        var listed = await H.Http.GetStringAsync("/api/v1/task-instances?limit=1000");
        Assert.DoesNotContain(id, listed, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> DeleteAsync(string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/task-instances/{id}?reason=cleanup");
        return await H.Http.SendAsync(request);
    }
}
