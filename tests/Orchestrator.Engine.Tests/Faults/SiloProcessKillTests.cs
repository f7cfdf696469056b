using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Faults;

/// <summary>
/// Issue #10 fault (e): the only silo of a PostgreSQL cluster, a real process, is killed with SIGKILL in the middle of a
/// fan-out and started again on the same ports and database. Real agent processes (three running a script whose side
/// effect counts its executions, one simulating a fleet) keep their reports and deliver them to the new silo.
/// </summary>
public sealed class SiloProcessKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Sigkill = 9;
    private const string Token = "faults-kill9-token";
    private const int Simulated = 300;
    private static readonly string[] RealHosts = ["kp-a1", "kp-a2", "kp-a3"];
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    private readonly Runtime.Persistence.OrchestratorDatabaseOptions _store = EngineStores.Postgres("kill9");
    private readonly List<SiloProcess> _silos = [];
    private readonly List<AgentProcess> _agents = [];
    private readonly string _marks = Path.Combine(Path.GetTempPath(), "orch-kill9-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_marks);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
        foreach (var silo in _silos)
        {
            output.WriteLine($"--- silo (exited: {silo.HasExited}) ---");
            output.WriteLine(silo.Log.Length > 20_000 ? silo.Log[^20_000..] : silo.Log);
            await silo.DisposeAsync();
        }
        await EngineStores.DropAsync(_store);
    }

    [Fact]
    public async Task KillSiloProcess_MidFanOut_RestartedSiloFinishesTheRun_EachHostRanOnce()
    {
        var elapsed = Stopwatch.StartNew();
        var (httpPort, siloPort, gatewayPort) = (EngineHarness.FreePort(), EngineHarness.FreePort(), EngineHarness.FreePort());
        var data = SiloProcess.NewDataDirectory("kill9");
        string[] args = ["--store", "postgres", "--connection-string", _store.ConnectionString, "--agent-token", Token, "--local-agent", "false",
            "--silo-name", "kill9", "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}"];
        var silo = Start(data, httpPort, args);
        await silo.WaitReadyAsync();
        var server = $"http://127.0.0.1:{httpPort}";
        var fleet = new Dictionary<string, string> { ["fleet"] = "kp" };
        foreach (var host in RealHosts)
        {
            _agents.Add(AgentProcess.Start(server, Token, host, fleet));
        }
        _agents.Add(AgentProcess.Start(server, Token, "kp-sim", fleet, "", "--simulate", $"{Simulated}", "--host-prefix", "kp-s"));
        var total = RealHosts.Length + Simulated;
        await Eventually.Until(() => FaultChecks.OnlineHostsAsync(_store.ConnectionString), n => n == total, Wait, $"{total} hosts online");

        // Real hosts sort first, so they run in the first window; their scripts outlive the silo's death.
        await PutPlanAsync(silo, "kill9", $$"""
            name: kill9
            steps:
              - name: fan
                script:
                  source: |
                    echo "$ORCH_ASSIGNMENT_ID" >> {{_marks}}/$ORCH_HOST
                    sleep 10
                targets:
                  selector: fleet=kp
                execution:
                  parallelism: 10
            """);
        var id = await RunAsync(silo, "kill9");
        var stepKey = GrainKeys.Step(id, 0);
        await Eventually.Until(() => Task.FromResult(RealHosts.Count(h => File.Exists(Path.Combine(_marks, h)))), n => n == RealHosts.Length, Wait,
            "every real host's script started");
        // Some simulated hosts done as well: reports already counted, others still to come.
        var before = await Eventually.Until(() => FaultChecks.CountByStatusAsync(_store.ConnectionString, IndexKinds.Target, stepKey),
            c => c.GetValueOrDefault((int)TargetStatus.Succeeded) >= 20, Wait, "20 targets succeeded");

        await silo.StopAsync(Sigkill);
        var atKill = await FaultChecks.CountByStatusAsync(_store.ConnectionString, IndexKinds.Target, stepKey);
        output.WriteLine($"targets at the kill: {Describe(atKill)} (just before: {Describe(before)})");
        Assert.True(atKill.GetValueOrDefault((int)TargetStatus.Succeeded) < total, $"the kill came after the fan-out: {Describe(atKill)}");
        var restarted = Start(data, httpPort, args);
        await restarted.WaitReadyAsync();
        var done = await Eventually.Until(() => GetAsync(restarted, $"/api/v1/task-instances/{id}"), i => i?["status"]?.GetValue<string>() is "succeeded" or "failed",
            Wait, $"instance {id} finished after the restart");

        Assert.Equal("succeeded", done!["status"]!.GetValue<string>());
        var counts = await FaultChecks.CountByStatusAsync(_store.ConnectionString, IndexKinds.Target, stepKey);
        Assert.Equal([((int)TargetStatus.Succeeded, (long)total)], counts.Select(c => (c.Key, c.Value)));
        // Each real host ran its script once, for the first (and only) attempt.
        foreach (var host in RealHosts)
        {
            var runs = (await File.ReadAllLinesAsync(Path.Combine(_marks, host))).Where(l => l.Length > 0).ToList();
            Assert.Equal([$"{stepKey}:{host}#1"], runs);
        }
        // Every target was dispatched once and ended once; the step counted each report once.
        using var client = await FaultChecks.ConnectAsync(_store.ConnectionString);
        var grains = client.Services.GetRequiredService<IGrainFactory>();
        var hosts = RealHosts.Concat(Enumerable.Range(1, Simulated).Select(i => $"kp-s{i:D5}")).ToList();
        var views = await Task.WhenAll(hosts.Select(h => grains.GetGrain<IHostTargetGrain>(GrainKeys.Target(stepKey, h)).GetAsync().AsTask()));
        Assert.All(hosts.Zip(views), p => Assert.True(p.Second is { Status: TargetStatus.Succeeded, Attempts.Count: 1 },
            $"{p.First}: {p.Second?.Status} after {p.Second?.Attempts.Count} attempt(s)"));
        var step = await grains.GetGrain<IStepGrain>(stepKey).GetAsync();
        Assert.Equal((ExecutionStatus.Succeeded, total, total, total, 0), (step!.Status, step.TotalTargets, step.Dispatched, step.Succeeded, step.Failed));
        output.WriteLine($"elapsed {elapsed.Elapsed.TotalSeconds:0.0} s");
    }

    private SiloProcess Start(string data, int port, string[] args)
    {
        var silo = SiloProcess.StartOnPort(data, port, args);
        _silos.Add(silo);
        return silo;
    }

    private static string Describe(Dictionary<int, long> counts) =>
        string.Join(' ', counts.OrderBy(c => c.Key).Select(c => $"{(TargetStatus)c.Key}={c.Value}"));

    private static async Task PutPlanAsync(SiloProcess silo, string id, string yaml)
    {
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await silo.Http.PutAsync($"/api/v1/plans/{id}", content);
        Assert.True(response.IsSuccessStatusCode, $"PUT plan: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<string> RunAsync(SiloProcess silo, string plan)
    {
        using var response = await silo.Http.PostAsJsonAsync($"/api/v1/plans/{plan}/run", new { });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"run: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    /// <summary>The resource, or null while the silo cannot answer it (not found yet, not up, failing over).</summary>
    private static async Task<JsonNode?> GetAsync(SiloProcess silo, string path)
    {
        try
        {
            using var response = await silo.Http.GetAsync(path);
            return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
