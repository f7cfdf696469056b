using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.StuckRuns;

/// <summary>
/// No run is left unable to end. Plans are stored as an older version would have stored them (no validation), with
/// the values that used to strand a run; whatever a turn throws, the run ends with a reason or a cancel ends it, and a
/// parked message shows on the run it belongs to.
/// </summary>
[Collection(StuckRunCollection.Name)]
public sealed class StuckRunTests(StuckRunFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Absurd = TimeSpan.FromDays(3_000_000);

    private EngineHarness H => fixture.Harness;

    private static PlanDefinition Plan(params StepDefinition[] steps) => new() { Name = "stuck", Steps = steps };

    [Fact]
    public async Task Run_DeadlineOfThreeMillionDays_RunsToTheEnd()
    {
        var plan = await fixture.PutUnvalidatedPlanAsync(Plan(StuckRunFixture.Script("long") with { Execution = new ExecutionSpec { Deadline = Absurd } }));

        var done = await H.WaitForInstanceAsync(await H.RunAsync(plan), Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
    }

    [Fact]
    public async Task Run_ApprovalTimeoutOfThreeMillionDays_WaitsForApprovalThenRunsOn()
    {
        var plan = await fixture.PutUnvalidatedPlanAsync(Plan(
            new StepDefinition { Name = "gate", Kind = StepKind.Approval, Approval = new ApprovalSpec { Timeout = Absurd } },
            StuckRunFixture.Script("after")));
        var id = await H.RunAsync(plan);
        await H.WaitForStepAsync(id, 0, Wait, "waitingForApproval");

        using (var approve = await H.ControlAsync($"/api/v1/task-instances/{id}/steps/0/approve", new { reason = "ok" }, user: "alice"))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));
    }

    public static TheoryData<string, long> AbsurdTimesToKeep() => new()
    {
        { "ttlAfterFinished: 3000000d", TimeSpan.FromDays(3_000_000).Ticks },
        { "ttlSecondsAfterFinished: 2147483647", TimeSpan.FromSeconds(int.MaxValue).Ticks },
        { "ttlAfterFinished: TimeSpan.MaxValue", TimeSpan.MaxValue.Ticks },
    };

    [Theory]
    [MemberData(nameof(AbsurdTimesToKeep))]
    public async Task Run_AbsurdTimeToKeepIt_Finishes(string what, long ttlTicks)
    {
        var plan = await fixture.PutUnvalidatedPlanAsync(Plan(StuckRunFixture.Script("one")) with { TtlAfterFinished = TimeSpan.FromTicks(ttlTicks) });

        var id = await H.RunAsync(plan);
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.True(EngineHarness.StatusOf(done) == "succeeded", $"{what}: {done}");
        Assert.Null(done["reason"]);
    }

    [Fact]
    public async Task Run_StepStartThrowsEveryTime_FailsWithTheReason_AndListsTheParkedMessage()
    {
        // A selector an older version let through: the step's start throws on every attempt.
        var plan = await fixture.PutUnvalidatedPlanAsync(Plan(StuckRunFixture.Script("broken") with { Targets = new TargetSpec { Selector = "role in (web" } }));
        var before = fixture.Clock.GetUtcNow();
        var id = await H.RunAsync(plan);

        var done = await fixture.RetryUntilAsync(id, Wait, "failed", "succeeded", "cancelled"); // two attempts, then parked

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        var reason = done["reason"]!.GetValue<string>();
        Assert.StartsWith("step 'broken' failed: could not start:", reason, StringComparison.Ordinal);
        Assert.Contains("FormatException", reason, StringComparison.Ordinal);
        Assert.Equal("failed", EngineHarness.StepStatus(done, 0));
        var letter = Assert.Single(done["deadLetters"]!.AsArray())!;
        Assert.Equal(("step", $"{id}:0", "Start", 2), (Text(letter, "grainType"), Text(letter, "grainKey"), Text(letter, "method"), letter["attempts"]!.GetValue<int>()));
        Assert.Contains("FormatException", Text(letter, "error"), StringComparison.Ordinal);
        var parkedAt = letter["parkedAt"]!.GetValue<DateTimeOffset>();
        Assert.True(parkedAt >= before && parkedAt <= fixture.Clock.GetUtcNow(), $"parkedAt {parkedAt:O}, run started at {before:O}, clock now {fixture.Clock.GetUtcNow():O}");
    }

    [Fact]
    public async Task Run_MovingToTheNextStepThrowsEveryTime_FailsWithTheReason_AndListsTheParkedMessage()
    {
        // Two steps of one name, which an older version let through: moving on to the third step throws.
        var plan = await fixture.PutUnvalidatedPlanAsync(Plan(StuckRunFixture.Script("twin"), StuckRunFixture.Script("twin"), StuckRunFixture.Script("third")));
        var id = await H.RunAsync(plan);
        await Eventually.Until(() => H.GetTargetAsync(id, 1, "stuck-1"), t => t["status"]!.GetValue<string>() == "succeeded", Wait, "the second step's target done");

        var done = await fixture.RetryUntilAsync(id, Wait, "failed", "succeeded");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        Assert.StartsWith("the run could not go on: OnStepStatus could not be applied", done["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["succeeded", "failed", "pending"], done["steps"]!.AsArray().Select(s => Text(s!, "status")));
        var letter = Assert.Single(done["deadLetters"]!.AsArray())!;
        Assert.Equal(("instance", id, "OnStepStatus"), (Text(letter, "grainType"), Text(letter, "grainKey"), Text(letter, "method")));
    }

    [Fact]
    public async Task Cancel_StepThatNeverStarted_EndsCancelledWithinTheBackstop_NotBefore()
    {
        var backstop = TimeSpan.FromMinutes(2);
        var plan = await fixture.PutUnvalidatedPlanAsync(Plan(StuckRunFixture.Script("broken") with { Targets = new TargetSpec { Selector = "role in (web" } }));
        var id = await H.RunAsync(plan);
        await H.WaitForInstanceAsync(id, Wait, "running");

        // Only this test moves the clock while it runs (the collection runs its tests one at a time), so the backstop
        // is due exactly this far from now.
        var due = fixture.Clock.GetUtcNow() + backstop;
        using (var cancel = await H.ControlAsync($"/api/v1/task-instances/{id}/cancel", new { reason = "enough" }))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
        await H.WaitForInstanceAsync(id, Wait, "stopping");

        // A probe: another run, due to start a second or two before the backstop. Once it has started, the reminder
        // pump has fired everything due by then, the backstop too had it been due, in the same pass or before.
        var probeAt = new DateTimeOffset((due - TimeSpan.FromSeconds(1)).UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var probe = await RunAtAsync(await H.PutPlanAsync(GatePlan), probeAt);
        var waiting = await H.WaitForInstanceAsync(probe, Wait, "scheduled");
        Assert.Equal(probeAt, waiting["notBefore"]!.GetValue<DateTimeOffset>());
        fixture.Clock.SetUtcNow(probeAt);
        await Eventually.Until(() => H.GetInstanceAsync(probe), i => EngineHarness.StatusOf(i) is not ("scheduled" or "absent"), Wait, "the probe run started");

        // A command to the run now queues behind any tick the pump fired for it, so the run answers it as it is after
        // every reminder due by now: still stopping (a run that had ended would answer 409).
        using (var again = await H.ControlAsync($"/api/v1/task-instances/{id}/cancel", new { reason = "still enough" }))
        {
            Assert.True(again.StatusCode == HttpStatusCode.OK, $"a cancel {due - probeAt} before the backstop: {(int)again.StatusCode} {await again.Content.ReadAsStringAsync()}");
        }
        var stopping = await H.GetInstanceAsync(id);
        Assert.Equal("stopping", EngineHarness.StatusOf(stopping)); // the step had time to confirm
        Assert.DoesNotContain(stopping["actions"]!.AsArray(), a => Text(a!, "action") == "stop-unconfirmed");

        fixture.Clock.SetUtcNow(due + TimeSpan.FromSeconds(1)); // the second cancel did not move the backstop
        var done = await H.WaitForInstanceAsync(id, Wait, "cancelled", "failed");

        Assert.Equal("cancelled", EngineHarness.StatusOf(done));
        Assert.Equal("cancelled by tester: enough; step 'broken' did not confirm within 2m, so the run ended without it", done["reason"]!.GetValue<string>());
        Assert.Equal("cancelled", EngineHarness.StepStatus(done, 0));
        Assert.Contains(done["actions"]!.AsArray(), a => Text(a!, "action") == "stop-unconfirmed");
        using (var end = await H.ControlAsync($"/api/v1/task-instances/{probe}/cancel", new { reason = "probe done" }))
        {
            Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        }
    }

    [Fact]
    public async Task Cancel_RunningScript_EndsCancelledBeforeTheBackstop()
    {
        var plan = await fixture.PutUnvalidatedPlanAsync(Plan(StuckRunFixture.Script("sleepy", "echo started; sleep 300")));
        var id = await H.RunAsync(plan);
        await Eventually.Until(() => H.LogTextAsync(id, 0, "stuck-1"), t => t.Contains("started", StringComparison.Ordinal), Wait, "the script running");

        using (var cancel = await H.ControlAsync($"/api/v1/task-instances/{id}/cancel", new { reason = "enough" }))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
        var done = await H.WaitForInstanceAsync(id, Wait, "cancelled", "failed");

        Assert.Equal("cancelled", EngineHarness.StatusOf(done));
        Assert.Equal("cancelled by tester: enough", done["reason"]!.GetValue<string>());
        Assert.DoesNotContain(done["actions"]!.AsArray(), a => Text(a!, "action") == "stop-unconfirmed");
    }

    private const string GatePlan = """
        name: probe
        steps:
          - name: gate
            approval:
              required: 1
        """;

    private async Task<string> RunAtAsync(string planId, DateTimeOffset at)
    {
        using var response = await H.Http.PostAsJsonAsync($"/api/v1/plans/{planId}/run", new { at });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"run at {at:O}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    private static string Text(JsonNode node, string field) => node[field]!.GetValue<string>();
}
