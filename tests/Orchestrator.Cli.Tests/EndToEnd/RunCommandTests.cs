using System.Text.Json;
using Orchestrator.Cli.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.EndToEnd;

/// <summary><c>orch run --follow</c>, <c>logs --follow</c>, approve and retry against a real silo and its local agent.</summary>
[Collection(CliSiloCollection.Name)]
public sealed class RunCommandTests(CliSiloFixture silo) : CliTestBase(silo)
{
    [Fact]
    public async Task RunFollow_SucceedingPlan_PrintsProgressLinesAndExitsZero()
    {
        var id = NewId("ok");
        await ApplyAsync(id, """
            name: follow-ok
            parameters:
              - name: greeting
                required: true
            steps:
              - name: greet
                targets:
                  hosts: [local]
                script:
                  interpreter: bash
                  source: echo "${{ params.greeting }} from the cli"
            """);

        var run = await Orch.RunAsync("run", id, "--param", "greeting=hello", "--follow");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"started run \S+ of plan " + id + " version 1", run.Stdout);
        Assert.Contains("step 0 greet: succeeded succeeded=1 failed=0 running=0 pending=0 batch=1/1", run.Stdout);
        Assert.Matches(@"run \S+ succeeded after \d+", run.Stdout);
        Assert.DoesNotContain("\u001b[", run.Stdout); // plain text when redirected: no escape codes
    }

    [Fact]
    public async Task RunFollow_FailingPlan_ExitsOneWithPerHostSummary()
    {
        var id = NewId("fail");
        await ApplyAsync(id, ScriptPlan("follow-fail", "echo about to fail\nexit 3"));

        var run = await Orch.RunAsync("run", id, "--follow");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("step 0 work: failed succeeded=0 failed=1", run.Stdout);
        Assert.Matches(@"run \S+ failed after", run.Stdout);
        Assert.Contains("failed hosts (1):", run.Stdout);
        Assert.Matches(@"local\s+0 work\s+failed\s+3", run.Stdout);
    }

    [Fact]
    public async Task RunFollow_OutputJson_PrintsOutcomeParsedByTest()
    {
        var id = NewId("fjson");
        await ApplyAsync(id, ScriptPlan("follow-json", "exit 4"));

        var run = await Orch.RunAsync("run", id, "--follow", "-o", "json");

        Assert.True(run.ExitCode == 1, run.ToString());
        var outcome = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("failed", outcome.GetProperty("instance").GetProperty("status").GetString());
        var failure = Assert.Single(outcome.GetProperty("failures").EnumerateArray());
        Assert.Equal("local", failure.GetProperty("host").GetString());
        Assert.Equal(4, failure.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task LogsFollow_RunningScript_PrintsOutputAsWrittenUntilComplete()
    {
        var id = NewId("logs");
        var gate = NewGate();
        await ApplyAsync(id, ScriptPlan("logs-follow", $"echo first line\nwhile [ ! -f {gate} ]; do sleep 0.05; done\necho second line"));
        var instance = await StartRunAsync(id);

        using var logs = Orch.Start(["logs", instance, "0", "local", "--follow"], out var stdout, out var stderr);
        try
        {
            await Eventually.Until(() => Task.FromResult(OrchProcess.Text(stdout)), s => s.Contains("first line", StringComparison.Ordinal) || logs.HasExited,
                TimeSpan.FromSeconds(60), "the first line followed");
            Assert.False(logs.HasExited, $"logs --follow ended before the run did:\n{OrchProcess.Text(stdout)}\n{OrchProcess.Text(stderr)}");
            Assert.DoesNotContain("second line", OrchProcess.Text(stdout));

            await File.WriteAllTextAsync(gate, "");
            await logs.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            logs.WaitForExit();
            Assert.True(logs.ExitCode == 0, OrchProcess.Text(stderr));
            var text = OrchProcess.Text(stdout);
            Assert.True(text.IndexOf("first line", StringComparison.Ordinal) < text.IndexOf("second line", StringComparison.Ordinal), text);
        }
        finally
        {
            if (!logs.HasExited)
            {
                logs.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task InstanceApprove_RunWaitingForApproval_RunGoesOnAndSucceeds()
    {
        var id = NewId("approve");
        await ApplyAsync(id, """
            name: approve-me
            steps:
              - name: sign-off
                approval:
                  message: Go on?
              - name: after
                targets:
                  hosts: [local]
                script:
                  interpreter: bash
                  source: echo approved
            """);
        var instance = await StartRunAsync(id);
        await Eventually.Until(() => InstanceAsync(instance), i => i.GetProperty("status").GetString() == "waitingForApproval", TimeSpan.FromSeconds(60), "the run waiting for approval");

        var approve = await Orch.RunAsync("instance", "approve", instance, "--reason", "looks good");
        Assert.True(approve.ExitCode == 0, approve.ToString());
        Assert.Contains("step 0 approve done", approve.Stdout);

        var watch = await Orch.RunAsync("instance", "watch", instance);
        Assert.True(watch.ExitCode == 0, watch.ToString());
        var done = await InstanceAsync(instance);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Contains(done.GetProperty("actions").EnumerateArray(), a => a.GetProperty("action").GetString() == "approve" && a.GetProperty("reason").GetString() == "looks good");
    }

    [Fact]
    public async Task InstanceRetryFailed_FailedStep_RetriedTargetSucceeds()
    {
        var id = NewId("retry");
        var mark = NewGate();
        await ApplyAsync(id, ScriptPlan("retry-me", $"[ -f {mark} ] || {{ echo no mark yet; exit 2; }}\necho marked"));
        var first = await Orch.RunAsync("run", id, "--follow", "-o", "json");
        Assert.True(first.ExitCode == 1, first.ToString());
        var instance = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("instance").GetProperty("id").GetString()!;

        await File.WriteAllTextAsync(mark, "");
        var retry = await Orch.RunAsync("instance", "retry", instance, "--failed");
        Assert.True(retry.ExitCode == 0, retry.ToString());
        Assert.Contains("step 0 retried (failed targets)", retry.Stdout);

        var watch = await Orch.RunAsync("instance", "watch", instance);
        Assert.True(watch.ExitCode == 0, watch.ToString());
        var logs = await Orch.RunAsync("logs", instance, "0", "local");
        Assert.Contains("marked", logs.Stdout);
    }

    [Fact]
    public async Task InstanceList_OutputJson_ListsRunsWithStatus()
    {
        var id = NewId("list");
        await ApplyAsync(id, ScriptPlan("list-me", "echo hi"));
        var run = await Orch.RunAsync("run", id, "--follow");
        Assert.True(run.ExitCode == 0, run.ToString());

        var list = await Orch.RunAsync("instance", "list", "--status", "succeeded", "--limit", "1000", "-o", "json");

        Assert.True(list.ExitCode == 0, list.ToString());
        var items = JsonDocument.Parse(list.Stdout).RootElement.GetProperty("items");
        Assert.Contains(items.EnumerateArray(), i => i.GetProperty("instance").GetProperty("planId").GetString() == id);
        Assert.All(items.EnumerateArray(), i => Assert.Equal("succeeded", i.GetProperty("instance").GetProperty("status").GetString()));
    }

    [Fact]
    public async Task RunsList_PlanByAndTimeFilters_ListOnlyTheMatchingRuns()
    {
        var id = NewId("filters");
        await ApplyAsync(id, ScriptPlan("filter-me", "echo hi"));
        var run = await Orch.RunAsync("run", id, "--follow", "-o", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var instance = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("instance").GetProperty("id").GetString();

        async Task<List<string?>> Listed(params string[] filters)
        {
            var list = await Orch.RunAsync(["runs", "list", "--plan", id, .. filters, "-o", "json"]);
            Assert.True(list.ExitCode == 0, list.ToString());
            return [.. JsonDocument.Parse(list.Stdout).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString())];
        }

        Assert.Equal([instance], await Listed());
        Assert.Equal([instance], await Listed("--by", "admin", "--status", "succeeded", "--since", "1h"));
        Assert.Empty(await Listed("--by", "someone-else"));
        Assert.Empty(await Listed("--until", "1h"));
        Assert.Empty(await Listed("--status", "failed"));

        var table = await Orch.RunAsync("runs", "list", "--plan", id);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("admin", table.Stdout);
        var bad = await Orch.RunAsync("runs", "list", "--since", "yesterday");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--since 'yesterday'", bad.ToString());
    }
}
