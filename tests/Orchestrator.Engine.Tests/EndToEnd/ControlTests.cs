using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.EndToEnd;

/// <summary>Approvals, retries with back-off on the test's clock, and retry of failed targets only.</summary>
[Collection(FleetCollection.Name)]
public sealed class ControlTests(FleetFixture fleet)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private EngineHarness H => fleet.Harness;

    private const string ApprovalPlan = """
        name: gated
        steps:
          - name: gate
            approval:
              approvers: [alice, bob]
              required: 1
              timeout: 1h
              onTimeout: {0}
          - name: go
            script:
              source: echo going
            targets:
              hosts: [web-1]
        """;

    [Fact]
    public async Task Approval_Approved_RunsTheNextStep()
    {
        var id = await H.RunAsync(await H.PutPlanAsync(ApprovalPlan.Replace("{0}", "reject", StringComparison.Ordinal)));
        await H.WaitForStepAsync(id, 0, Wait, "waitingForApproval");

        using (var stranger = await H.ControlAsync($"/api/v1/task-instances/{id}/steps/0/approve", new { reason = "lgtm" }, user: "mallory"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, stranger.StatusCode);
        }
        using (var approve = await H.ControlAsync($"/api/v1/task-instances/{id}/steps/0/approve", new { reason = "change 42 approved" }, user: "alice"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        var action = done["actions"]!.AsArray().Single(a => a!["action"]!.GetValue<string>() == "approve")!;
        Assert.Equal("alice", action["by"]!.GetValue<string>());
        Assert.Equal("change 42 approved", action["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Approval_Rejected_FailsTheInstanceWithTheReason()
    {
        var id = await H.RunAsync(await H.PutPlanAsync(ApprovalPlan.Replace("{0}", "reject", StringComparison.Ordinal)));
        await H.WaitForStepAsync(id, 0, Wait, "waitingForApproval");

        using (var reject = await H.ControlAsync($"/api/v1/task-instances/{id}/steps/0/reject", new { reason = "freeze week" }, user: "bob"))
        {
            Assert.Equal(HttpStatusCode.OK, reject.StatusCode);
        }
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        Assert.Contains("freeze week", done["steps"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("pending", EngineHarness.StepStatus(done, 1));
    }

    [Theory]
    [InlineData("reject", "failed")]
    [InlineData("approve", "succeeded")]
    public async Task Approval_TimedOut_DoesWhatThePlanSays(string onTimeout, string expected)
    {
        var id = await H.RunAsync(await H.PutPlanAsync(ApprovalPlan.Replace("{0}", onTimeout, StringComparison.Ordinal)));
        await H.WaitForStepAsync(id, 0, Wait, "waitingForApproval");

        fleet.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal(expected, EngineHarness.StatusOf(done));
        Assert.Contains("timed out", done["steps"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Retry_WithBackoff_WaitsOnTheClockThenRunsAgain()
    {
        var marker = Path.Combine(fleet.Scratch, "flaky-" + Guid.NewGuid().ToString("N")[..6]);
        var plan = await H.PutPlanAsync($$"""
            name: flaky
            steps:
              - name: flaky
                script:
                  source: |
                    if [ ! -e {{marker}} ]; then touch {{marker}}; echo "first try fails"; exit 1; fi
                    echo "second try works"
                targets:
                  hosts: [web-2]
                execution:
                  retry: { limit: 3, initialBackoff: 10s }
            """);
        var id = await H.RunAsync(plan);

        var retrying = await Eventually.Until(() => H.GetTargetAsync(id, 0, "web-2"), t => t["status"]!.GetValue<string>() == "retrying", Wait, "web-2 retrying");
        Assert.Equal(1, retrying["run"]!.GetValue<int>());
        fleet.Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("retrying", (await H.GetTargetAsync(id, 0, "web-2"))["status"]!.GetValue<string>());
        fleet.Clock.Advance(TimeSpan.FromSeconds(1));
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        var target = await H.GetTargetAsync(id, 0, "web-2");
        Assert.Equal(2, target["run"]!.GetValue<int>());
        var attempts = target["attempts"]!.AsArray();
        Assert.Equal(["failed", "succeeded"], attempts.Select(a => a!["status"]!.GetValue<string>()));
        // The clock moves only when this test moves it: the second run was dispatched no sooner than 10 s after the
        // first one failed (a retry fired at +9 s would carry that time).
        var backoff = attempts[1]!["dispatchedAt"]!.GetValue<DateTimeOffset>() - attempts[0]!["finishedAt"]!.GetValue<DateTimeOffset>();
        Assert.True(backoff >= TimeSpan.FromSeconds(10), $"retried after {backoff}");
        Assert.Contains("first try fails", await H.LogTextAsync(id, 0, "web-2", run: 1));
        Assert.Contains("second try works", await H.LogTextAsync(id, 0, "web-2", run: 2));
    }

    [Fact]
    public async Task RetryFailedTargets_RunsOnlyTheFailedHostsThenTheNextSteps()
    {
        var marker = Path.Combine(fleet.Scratch, "fixed-" + Guid.NewGuid().ToString("N")[..6]);
        var plan = await H.PutPlanAsync($$$"""
            name: partial
            steps:
              - name: deploy
                script:
                  source: |
                    [ "$ORCH_HOST" != db-1 ] || [ -e {{{marker}}} ] || exit 4
                    echo "deployed ${{ params.release }} on $ORCH_HOST"
                targets:
                  hosts: [web-1, web-2, db-1]
                execution:
                  parallelism: 1
              - name: verify
                script:
                  source: echo "verify ${{ params.release }}"
                targets:
                  fromStep: { step: deploy, outcome: succeeded }
            parameters:
              - name: release
                required: true
            """);
        var id = await H.RunAsync(plan, new { release = "r7" });
        var failed = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");
        Assert.Equal("failed", EngineHarness.StatusOf(failed));

        await File.WriteAllTextAsync(marker, "fixed");
        using (var retry = await H.ControlAsync($"/api/v1/task-instances/{id}/steps/0/retry", new { set = "failed" }))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        }
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Equal(1, (await H.GetTargetAsync(id, 0, "web-1"))["run"]!.GetValue<int>());
        Assert.Equal(2, (await H.GetTargetAsync(id, 0, "db-1"))["run"]!.GetValue<int>());
        Assert.Contains("deployed r7 on db-1", await H.LogTextAsync(id, 0, "db-1", run: 2));
        Assert.Equal(3, done["steps"]![1]!["targets"]!["succeeded"]!.GetValue<long>());
        Assert.Equal(2, done["steps"]![0]!["attempt"]!.GetValue<int>());
    }
}
