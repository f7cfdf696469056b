using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.EndToEnd;

/// <summary>Plans run end to end: real agents, real scripts, the real API.</summary>
[Collection(FleetCollection.Name)]
public sealed class PlanExecutionTests(FleetFixture fleet)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private EngineHarness H => fleet.Harness;

    [Fact]
    public async Task ThreeStepPlan_ScriptThenFilesThenScript_LaterStepReadsFirstStepsOutput()
    {
        var dir = Path.Combine(fleet.Scratch, "deploy-" + Guid.NewGuid().ToString("N")[..6]);
        using var upload = new ByteArrayContent(Encoding.UTF8.GetBytes("release 1.2.3\n"));
        using var uploaded = await H.Http.PostAsync("/api/v1/files", upload);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var sha = JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!["sha256"]!.GetValue<string>();

        var plan = await H.PutPlanAsync($$$"""
            name: deploy
            steps:
              - name: build
                script:
                  source: |
                    echo building on $ORCH_HOST
                    echo "::set-output version=1.2.3"
                targets:
                  hosts: [db-1]
              - name: ship
                files:
                  sources:
                    - sha256: {{{sha}}}
                      name: release.txt
                  targetDirectory: {{{dir}}}/${{ host }}
                  mode: "0640"
                targets:
                  selector: role=web
              - name: check
                script:
                  interpreter: bash
                  source: |
                    test "$(cat {{{dir}}}/$ORCH_HOST/release.txt)" = "release ${{ steps.build.outputs.version }}"
                    echo "verified ${{ steps.build.outputs.version }} on $ORCH_HOST"
                targets:
                  fromStep: { step: ship, outcome: succeeded }
            """);
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Equal("1.2.3", done["steps"]![0]!["outputs"]!["version"]!.GetValue<string>());
        Assert.Equal(2, done["steps"]![2]!["targets"]!["succeeded"]!.GetValue<long>());
        Assert.Contains("verified 1.2.3 on web-2", await H.LogTextAsync(id, 2, "web-2"));
        Assert.Contains("building on db-1", await H.LogTextAsync(id, 0, "db-1"));
        var file = Path.Combine(dir, "web-1", "release.txt");
        Assert.Equal("release 1.2.3\n", await File.ReadAllTextAsync(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task FileDistribution_FromASourceHost_CopiesItsFileToTheTargets()
    {
        var source = Path.Combine(fleet.Scratch, "source-" + Guid.NewGuid().ToString("N")[..6] + ".conf");
        await File.WriteAllTextAsync(source, "setting=42\n");
        var dir = Path.Combine(fleet.Scratch, "copied-" + Guid.NewGuid().ToString("N")[..6]);
        var plan = await H.PutPlanAsync($$$"""
            name: copy
            steps:
              - name: copy
                files:
                  sources:
                    - fromHost: db-1
                      path: {{{source}}}
                  targetDirectory: {{{dir}}}/${{ host }}
                targets:
                  hosts: [web-1, web-2]
            """);
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        foreach (var host in new[] { "web-1", "web-2" })
        {
            Assert.Equal("setting=42\n", await File.ReadAllTextAsync(Path.Combine(dir, host, Path.GetFileName(source))));
        }
        var upload = await H.GetTargetAsync(id, 0, "@src0");
        Assert.Equal("succeeded", upload["status"]!.GetValue<string>());
        Assert.Equal("db-1", upload["host"]!.GetValue<string>());
    }

    [Fact]
    public async Task MalformedPlan_IsRejectedWithLineAndColumn()
    {
        using var content = new StringContent("""
            name: broken
            steps:
              - name: one
                script:
                  source: echo hi
                targets:
                  hosts: [web-1]
                execution:
                  rolling:
                    expression: "1 +x"
            """, Encoding.UTF8, "application/yaml");
        using var response = await H.Http.PutAsync("/api/v1/plans/broken", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var error = problem["errors"]!.AsArray().Single()!;
        Assert.Equal("steps[0].execution.rolling.expression", error["path"]!.GetValue<string>());
        Assert.Equal(10, error["line"]!.GetValue<int>());
        Assert.True(error["column"]!.GetValue<int>() > 1);
    }

    [Fact]
    public async Task RollingBatches_RunOneBatchAfterAnother_InTheExpressionsSizes()
    {
        var plan = await H.PutPlanAsync("""
            name: rolling
            steps:
              - name: roll
                script:
                  source: |
                    echo "start $(date +%s%N)"
                    sleep 0.3
                    echo "end $(date +%s%N)"
                targets:
                  hosts: [web-1, web-2, db-1]
                execution:
                  rolling: { expression: "1 +1", mode: continue }
            """);
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        var times = new Dictionary<string, (long Start, long End)>();
        foreach (var host in new[] { "web-1", "web-2", "db-1" })
        {
            var lines = (await H.LogTextAsync(id, 0, host)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            times[host] = (long.Parse(lines.Single(l => l.StartsWith("start ", StringComparison.Ordinal))[6..], System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(lines.Single(l => l.StartsWith("end ", StringComparison.Ordinal))[4..], System.Globalization.CultureInfo.InvariantCulture));
        }
        // Batch 1 is web-1 alone, batch 2 is web-2 and db-1 (1, then 1+1): the second starts after the first ended.
        Assert.True(times["web-2"].Start > times["web-1"].End, $"web-2 started {times["web-2"].Start}, web-1 ended {times["web-1"].End}");
        Assert.True(times["db-1"].Start > times["web-1"].End, $"db-1 started {times["db-1"].Start}, web-1 ended {times["web-1"].End}");
        var view = await H.Client.GetGrain<GrainInterfaces.IStepGrain>(GrainInterfaces.GrainKeys.Step(id, 0)).GetAsync();
        Assert.Equal(2, view!.BatchCount);
    }

    [Fact]
    public async Task PauseOnFailure_PausesAfterAFailedBatch_AndContinueRollsOn()
    {
        var plan = await H.PutPlanAsync("""
            name: pausing
            steps:
              - name: roll
                script:
                  source: '[ "$ORCH_HOST" != web-1 ]'
                targets:
                  hosts: [web-1, web-2, db-1]
                execution:
                  rolling: { expression: "1", mode: pauseOnFailure }
                  failureBudget: 1
            """);
        var id = await H.RunAsync(plan);

        var paused = await H.WaitForStepAsync(id, 0, Wait, "paused");
        Assert.Equal("paused", EngineHarness.StatusOf(paused));
        Assert.Single(await H.ListTargetsAsync(id, 0, "failed"));
        Assert.Equal(2, (await H.ListTargetsAsync(id, 0, "pending")).Count);

        using (var response = await H.ControlAsync($"/api/v1/task-instances/{id}/steps/0/continue"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");
        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Equal(2, done["steps"]![0]!["targets"]!["succeeded"]!.GetValue<long>());
        Assert.Contains(done["actions"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "continue" && a["by"]!.GetValue<string>() == "tester");
    }

    [Theory]
    [InlineData(1, "succeeded")]
    [InlineData(0, "failed")]
    public async Task FailureBudget_OneHostFailing_SucceedsWithinTheBudgetAndFailsBeyondIt(int budget, string expected)
    {
        var plan = await H.PutPlanAsync($$"""
            name: budget
            steps:
              - name: check
                script:
                  source: |
                    echo "checking $ORCH_HOST"
                    [ "$ORCH_HOST" != web-2 ] || exit 7
                targets:
                  selector: "zone in (a,b)"
                execution:
                  failureBudget: {{budget}}
            """);
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal(expected, EngineHarness.StatusOf(done));
        var failed = Assert.Single(await H.ListTargetsAsync(id, 0, "failed"))!;
        Assert.Equal("web-2", failed["host"]!.GetValue<string>());
        Assert.Equal(7, failed["target"]!["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task Timeout_KillsTheScriptsWholeProcessTree()
    {
        var pidFile = Path.Combine(fleet.Scratch, "child-" + Guid.NewGuid().ToString("N")[..6]);
        var plan = await H.PutPlanAsync($$"""
            name: slow
            steps:
              - name: sleep
                script:
                  source: |
                    sleep 300 &
                    echo $! > {{pidFile}}
                    wait
                targets:
                  hosts: [web-1]
                execution:
                  targetTimeout: 2s
            """);
        var id = await H.RunAsync(plan);

        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("failed", EngineHarness.StatusOf(done));
        Assert.Single(await H.ListTargetsAsync(id, 0, "timedOut"));
        await ScriptProcesses.WaitGoneAsync(await ScriptProcesses.ReadPidAsync(pidFile), TimeSpan.FromSeconds(10), "the script's background child");
    }

    [Fact]
    public async Task Cancel_MidStep_KillsRunningScriptsAndNeverStartsTheRest()
    {
        var marker = Path.Combine(fleet.Scratch, "cancel-" + Guid.NewGuid().ToString("N")[..6]);
        var plan = await H.PutPlanAsync($$"""
            name: cancelled
            steps:
              - name: long
                script:
                  source: |
                    echo $$ > {{marker}}-$ORCH_HOST
                    sleep 300
                targets:
                  hosts: [web-1, web-2, db-1]
                execution:
                  parallelism: 1
              - name: after
                script:
                  source: echo never
                targets:
                  hosts: [web-1]
            """);
        var id = await H.RunAsync(plan);
        await Eventually.Until(() => Task.FromResult(File.Exists(marker + "-web-1")), e => e, Wait, "the first script running");

        using (var response = await H.ControlAsync($"/api/v1/task-instances/{id}/cancel", new { reason = "wrong window" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var done = await H.WaitForInstanceAsync(id, Wait, "cancelled");

        Assert.Equal("cancelled", EngineHarness.StepStatus(done, 0));
        Assert.Equal("pending", EngineHarness.StepStatus(done, 1));
        Assert.Equal("web-1", Assert.Single(await H.ListTargetsAsync(id, 0, "stopped"))!["host"]!.GetValue<string>());
        Assert.Equal(2, (await H.ListTargetsAsync(id, 0, "cancelled")).Count);
        Assert.False(File.Exists(marker + "-web-2"));
        await ScriptProcesses.WaitGoneAsync(await ScriptProcesses.ReadPidAsync(marker + "-web-1"), TimeSpan.FromSeconds(10), "the running script");
        var cancel = done["actions"]!.AsArray().Single(a => a!["action"]!.GetValue<string>() == "cancel")!;
        Assert.Equal("wrong window", cancel["reason"]!.GetValue<string>());
    }
}
