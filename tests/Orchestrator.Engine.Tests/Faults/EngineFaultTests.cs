using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Faults;

/// <summary>Crashes in the middle of work: a silo, an agent, the API. Nothing is lost or done twice.</summary>
public sealed class EngineFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Issue #10 fault (a): three silos on PostgreSQL, one step over 1,000 simulated hosts (one agent process speaking
    /// the real protocol for all of them), and the silo holding the step killed while it is still dispatching. Every
    /// target ends exactly once after one attempt (one assignment id per host, which the agent runs once: it drops a
    /// repeated id), the step's counters match the targets, and no assignment is left open.
    /// </summary>
    [Fact]
    public async Task KillSilo_MidFanOutOver1000Targets_EveryTargetEndsExactlyOnce()
    {
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("fanoutkill"), silos: 3);
        var fleet = h.StartAgent("sim", new Dictionary<string, string> { ["fleet"] = "sim" }, "", "--simulate", "1000", "--host-prefix", "sim-");
        try
        {
            await Eventually.Until(async () => (await h.Client.Indexes.CountByStatusAsync(IndexKinds.Host, "")).GetValueOrDefault((int)HostStatus.Online),
                n => n == 1000, Wait, "1,000 simulated hosts online");
            // At most 50 at once: the step's silo dispatches window after window, so it dies with positions still to start.
            var plan = await h.PutPlanAsync("""
                name: fanout
                steps:
                  - name: noop
                    script:
                      source: "true"
                    targets:
                      selector: fleet=sim
                    execution:
                      parallelism: 50
                """);
            var id = await h.RunAsync(plan);
            var stepKey = GrainKeys.Step(id, 0);
            var step = h.Client.GetGrain<IStepGrain>(stepKey);
            await Eventually.Until(async () => (await h.Client.Indexes.CountByStatusAsync(IndexKinds.Target, stepKey)).GetValueOrDefault((int)TargetStatus.Succeeded),
                n => n >= 100, Wait, "the fan-out under way");
            var holder = await Eventually.Until(() => h.Cluster.SiloHoldingAsync(step), s => s is not null, Wait, "the silo holding the step");
            var atKill = await step.GetAsync();

            await h.Cluster.KillSiloAsync(holder!);
            output.WriteLine($"killed {holder!.SiloAddress} at dispatched {atKill!.Dispatched}, succeeded {atKill.Succeeded}");
            Assert.True(atKill.Dispatched < 1000, $"the kill came after the dispatch: dispatched {atKill.Dispatched}, succeeded {atKill.Succeeded}");
            var done = await h.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

            Assert.Equal("succeeded", EngineHarness.StatusOf(done));
            Assert.NotEqual(holder.SiloAddress, (await h.Cluster.SiloHoldingAsync(step))?.SiloAddress);
            await FaultChecks.AssertFanOutEndedOnceAsync(h, stepKey, [.. Enumerable.Range(1, 1000).Select(i => $"sim-{i:D5}")]);
        }
        finally
        {
            output.WriteLine(fleet.Log);
        }
    }

    [Fact]
    public async Task KillAndRestartAgent_MidScript_TargetEndsAgentLostAndIsRetried()
    {
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("agentlost"));
        var state = Path.Combine(Path.GetTempPath(), "orch-agent-state", Guid.NewGuid().ToString("N")[..8]);
        var marker = Path.Combine(Path.GetTempPath(), "orch-lost-" + Guid.NewGuid().ToString("N")[..8]);
        var first = h.StartAgent("lost-1", null, state);
        await h.WaitForHostsAsync("lost-1");
        var plan = await h.PutPlanAsync($$"""
            name: lost
            steps:
              - name: work
                script:
                  source: |
                    if [ ! -e {{marker}} ]; then echo $$ > {{marker}}; echo "first run"; sleep 300; fi
                    echo "second run"
                targets:
                  hosts: [lost-1]
                execution:
                  retry: { limit: 1, initialBackoff: 1s }
            """);
        var id = await h.RunAsync(plan);
        await Eventually.Until(async () => File.Exists(marker) && (await h.GetTargetAsync(id, 0, "lost-1"))["status"]!.GetValue<string>() == "running",
            ok => ok, Wait, "the first run started");
        var orphan = await ScriptProcesses.ReadPidAsync(marker);

        first.Kill();
        h.StartAgent("lost-1", null, state);
        var done = await h.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        var attempts = (await h.GetTargetAsync(id, 0, "lost-1"))["attempts"]!.AsArray();
        Assert.Equal(["agentLost", "succeeded"], attempts.Select(a => a!["status"]!.GetValue<string>()));
        Assert.Contains("second run", await h.LogTextAsync(id, 0, "lost-1", run: 2));
        // The restarted agent killed the process group its dead predecessor left running.
        await ScriptProcesses.WaitGoneAsync(orphan, TimeSpan.FromSeconds(15), "the orphaned script");
    }

    [Fact]
    public async Task RestartApi_WhileAgentStreamsLogs_NoChunkLostOrDoubled()
    {
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("apirestart"));
        var agent = h.StartAgent("log-1");
        await h.WaitForHostsAsync("log-1");
        var plan = await h.PutPlanAsync("""
            name: chatty
            steps:
              - name: talk
                script:
                  source: |
                    i=1
                    while [ $i -le 400 ]; do echo "line $i"; i=$((i+1)); sleep 0.01; done
                targets:
                  hosts: [log-1]
            """);
        var id = await h.RunAsync(plan);
        await Eventually.Until(async () => (await h.LogTextAsync(id, 0, "log-1")).Length, n => n > 100, Wait, "the log streaming");

        var outagesBefore = Outages(agent);
        await h.StopApiAsync();
        // Keep the API down until the agent has hit the outage (and so holds chunks it must resend).
        await Eventually.Until(() => Task.FromResult(Outages(agent)), n => n > outagesBefore, Wait, "the agent noticing the API is down");
        await h.StartApiAsync();
        var done = await h.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        var lines = (await h.LogTextAsync(id, 0, "log-1")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(1, 400).Select(i => $"line {i}"), lines);
        var log = JsonNode.Parse(await h.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/log-1/log?limit=10000"))!;
        Assert.True(log["complete"]!.GetValue<bool>());
    }

    /// <summary>How many times the agent has logged that the API was unreachable.</summary>
    private static int Outages(AgentProcess agent) =>
        agent.Log.Split('\n').Count(l => l.Contains("API is unreachable", StringComparison.Ordinal));
}
