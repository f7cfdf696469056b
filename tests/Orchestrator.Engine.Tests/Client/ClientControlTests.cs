using System.Net;
using Orchestrator.Client;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Client;

/// <summary>Control actions and schedules through the client, on the fleet's real silo and agents.</summary>
[Collection(FleetCollection.Name)]
public sealed class ClientControlTests(FleetFixture fleet)
{
    private EngineHarness H => fleet.Harness;

    /// <summary>A client acting as <paramref name="user"/>: an API token of that name.</summary>
    private async Task<OrchestratorClient> NewClientAsync(string user) => new(new OrchestratorClientOptions
    {
        BaseAddress = new Uri(H.Server),
        Token = await H.TokenForAsync(user),
        PollInterval = TimeSpan.FromMilliseconds(100),
    });

    [Fact]
    public async Task RetryStepAsync_FailedSet_RunsOnlyTheFailedTargetAgainAndTheRunSucceeds()
    {
        using var client = await NewClientAsync("operator");
        var marker = Path.Combine(fleet.Scratch, "fixed-" + Guid.NewGuid().ToString("N")[..8]);
        var plan = await client.PutPlanAsync("ctl" + Guid.NewGuid().ToString("N")[..10], $$"""
            name: client-retry-failed
            steps:
              - name: check
                targets:
                  hosts: [web-1, web-2]
                script:
                  interpreter: bash
                  source: test "$ORCH_HOST" = web-2 || test -f {{marker}}
            """);
        var run = await client.RunPlanAsync(plan.Id);
        var failed = await ClientRetryTests.LastAsync(client.WatchAsync(run.Id));
        Assert.Equal(ExecutionStatus.Failed, failed.Status);
        Assert.Equal(["web-1"], (await client.ListTargetsAsync(run.Id, 0, [TargetStatus.Failed])).Items.Select(t => t.Host));

        await File.WriteAllTextAsync(marker, "");
        var retried = await client.RetryStepAsync(run.Id, 0, RetrySet.Failed);
        var done = await ClientRetryTests.LastAsync(client.WatchAsync(run.Id));

        Assert.Equal(new ControlResult(run.Id, "retry", 0), retried);
        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Equal(2, done.Steps[0].Attempt);
        Assert.Equal(2, (await client.GetTargetAsync(run.Id, 0, "web-1")).Run);
        Assert.Equal(1, (await client.GetTargetAsync(run.Id, 0, "web-2")).Run);
    }

    [Fact]
    public async Task ApproveStepAsync_NamedApprover_ApprovesAndOthersAreRefused403()
    {
        using var alice = await NewClientAsync("alice");
        using var mallory = await NewClientAsync("mallory");
        var plan = await alice.PutPlanAsync("ctl" + Guid.NewGuid().ToString("N")[..10], """
            name: client-approval
            steps:
              - name: sign-off
                approval:
                  approvers: [alice]
              - name: after
                script: "echo approved"
                targets:
                  hosts: [db-1]
            """);
        var run = await alice.RunPlanAsync(plan.Id);
        await foreach (var progress in alice.WatchAsync(run.Id))
        {
            if (progress.Status == ExecutionStatus.WaitingForApproval)
            {
                break;
            }
        }

        var refused = await Assert.ThrowsAsync<OrchestratorApiException>(() => mallory.ApproveStepAsync(run.Id, 0, "me too"));
        var approved = await alice.ApproveStepAsync(run.Id, 0, "looks good");
        var done = await ClientRetryTests.LastAsync(alice.WatchAsync(run.Id));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(new ControlResult(run.Id, "approve", 0), approved);
        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Contains(done.Instance.Actions, a => a is { Action: "approve", By: "alice", Reason: "looks good", StepIndex: 0 });
        Assert.Contains("approved", await alice.ReadLogTextAsync(run.Id, 1, "db-1"));
    }

    [Fact]
    public async Task Schedules_CreatePreviewSuspendResumeRunNowDelete_EachAnswersAsDocumented()
    {
        using var client = await NewClientAsync("operator");
        var plan = await client.PutPlanAsync("ctl" + Guid.NewGuid().ToString("N")[..10], """
            name: client-schedule
            parameters:
              - name: who
            steps:
              - name: s
                script: "echo scheduled"
                targets:
                  hosts: [web-2]
            """);
        var spec = new ScheduleRequest { Cron = "0 1 * * *", TimeZone = "Europe/London", Parameters = new Dictionary<string, string> { ["who"] = "ops" } };

        var created = await client.PutScheduleAsync(plan.Id, "nightly", spec);
        var stale = await Assert.ThrowsAsync<OrchestratorApiException>(() => client.PutScheduleAsync(plan.Id, "nightly", spec, expectedRevision: 99));
        var read = await client.GetScheduleAsync(plan.Id, "nightly", preview: 3);
        var listed = await client.ListSchedulesAsync(plan.Id);
        var preview = await client.PreviewScheduleAsync(plan.Id, "nightly", count: 2);
        var tried = await client.PreviewCronAsync(new SchedulePreviewRequest("*/5 * * * *", Count: 4));
        var suspended = await client.SuspendScheduleAsync(plan.Id, "nightly");
        var resumed = await client.ResumeScheduleAsync(plan.Id, "nightly");
        var now = await client.RunScheduleNowAsync(plan.Id, "nightly");
        var ran = await ClientRetryTests.LastAsync(client.WatchAsync(now.Id));
        await client.DeleteScheduleAsync(plan.Id, "nightly");
        var gone = await Assert.ThrowsAsync<OrchestratorApiException>(() => client.GetScheduleAsync(plan.Id, "nightly"));

        Assert.Equal(new ScheduleSaved(plan.Id, "nightly", 1), created);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(3, read.NextFires.Count);
        Assert.Equal("0 1 * * *", read.Spec.GetProperty("cron").GetString());
        Assert.Equal($"{plan.Id}/nightly", Assert.Single(listed.Items).Key);
        Assert.Equal("Europe/London", listed.Items[0].Schedule!.TimeZone);
        Assert.Equal(2, preview.Fires.Count);
        Assert.Equal(4, tried.Fires.Count);
        Assert.Equal(TimeSpan.FromMinutes(5), tried.Fires[1].Utc - tried.Fires[0].Utc);
        Assert.True(suspended.Suspend);
        Assert.False(resumed.Suspend);
        Assert.True(resumed.Revision > suspended.Revision);
        Assert.Equal("nightly", now.Schedule);
        Assert.Equal(ExecutionStatus.Succeeded, ran.Status);
        Assert.Equal("ops", ran.Instance.Parameters["who"]);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Reads_HooksDeadLettersAndPlanVersions_DeserializeTheApisShapes()
    {
        using var client = await NewClientAsync("operator");
        var id = "ctl" + Guid.NewGuid().ToString("N")[..10];
        const string Plan = """
            name: v
            steps:
              - name: s
                approval:
                  approvers: [alice]
            """;
        await client.PutPlanAsync(id, Plan);
        await client.PutPlanAsync(id, Plan.Replace("name: v", "name: v2", StringComparison.Ordinal), expectedVersion: 1);
        var stale = await Assert.ThrowsAsync<OrchestratorApiException>(() => client.PutPlanAsync(id, Plan, expectedVersion: 1));

        var versions = new List<Plan>();
        await foreach (var version in client.ListPlanVersionsAsync(id))
        {
            versions.Add(version);
        }
        var yaml = await client.GetPlanYamlAsync(id, version: 1);
        var letters = await client.ListDeadLettersAsync(new PageRequest(Limit: 5));
        var parked = await client.ListParkedHooksAsync(new PageRequest(Limit: 5));
        var plans = new List<PlanListItem>();
        await foreach (var item in client.AllAsync<PlanListItem>((page, ct) => client.ListPlansAsync(page, cancellationToken: ct), limit: 50))
        {
            plans.Add(item);
        }

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal([2, 1], versions.Select(v => v.Version));
        Assert.Equal("v2", versions[0].Definition.GetProperty("name").GetString());
        Assert.Contains("name: v", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("v2", yaml, StringComparison.Ordinal);
        Assert.True(letters.Items.Count <= 5);
        Assert.True(parked.Items.Count <= 5);
        Assert.Equal("v2", Assert.Single(plans, p => p.Id == id).Plan!.Name);
        Assert.Equal(plans.Count, plans.Select(p => p.Id).Distinct().Count());
    }
}
