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
/// Issue #13 item 5: a rolling restart of a 3-silo PostgreSQL cluster while a 2,003-host fan-out runs. Each silo in
/// turn gets SIGTERM, exits, and starts again on the same ports and database; the next goes once it is ready, as a
/// StatefulSet rolls. The fan-out is a rolling step in <c>confirm</c> mode (batches of 400, 50 at once), so each restart
/// is sure to meet a batch in flight: the first one meets the real hosts' scripts running, the others a batch the test
/// just continued. The fleet (a simulated-fleet agent process) talks to an API process (<c>--role api</c>, the
/// Deployment in front of the silos); three real agents, whose script marks each execution in a file, talk to the
/// first silo itself and retry while it restarts. Then: the run succeeded, every target ended once after one attempt,
/// the step counted each once, no host ran twice, no assignment is left open and nothing was parked.
/// </summary>
public sealed class RollingRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "faults-rolling-token";
    private const int Simulated = 2000;
    private const string SimPrefix = "rr-s";
    private static readonly string[] RealHosts = ["rr-a1", "rr-a2", "rr-a3"];
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(10);

    private readonly Runtime.Persistence.OrchestratorDatabaseOptions _store = EngineStores.Postgres("rolling");
    private readonly List<SiloProcess> _processes = [];
    private readonly List<AgentProcess> _agents = [];
    private readonly string _marks = Path.Combine(Path.GetTempPath(), "orch-rolling-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly CancellationTokenSource _sampling = new(); // the progress sampler's end, also when the test fails

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_marks);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _sampling.CancelAsync();
        _sampling.Dispose();
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
            output.WriteLine($"--- agent {agent.Host} ---");
            output.WriteLine(agent.Log.Length > 10_000 ? agent.Log[^10_000..] : agent.Log);
        }
        foreach (var process in _processes)
        {
            output.WriteLine($"--- process on {process.Port} (exited: {process.HasExited}) ---");
            output.WriteLine(process.Log.Length > 15_000 ? process.Log[^15_000..] : process.Log);
            await process.DisposeAsync();
        }
        await EngineStores.DropAsync(_store);
    }

    [Fact]
    public async Task RollingRestart_ThreeSilosUnderAFanOut_EveryTargetEndsOnceAndNoHostRunsTwice()
    {
        var elapsed = Stopwatch.StartNew();
        var silos = Enumerable.Range(1, 3).Select(i => new SiloSlot($"roll-{i}", this)).ToArray();
        foreach (var slot in silos)
        {
            slot.Start();
        }
        await Task.WhenAll(silos.Select(s => s.Process.WaitReadyAsync()));
        var api = Track(SiloProcess.Start(SiloProcess.NewDataDirectory("roll-api"), "--role", "api", "--store", "postgres",
            "--connection-string", _store.ConnectionString, "--agent-token", Token));
        await api.WaitReadyAsync();

        var labels = new Dictionary<string, string> { ["fleet"] = "roll" };
        var first = $"http://127.0.0.1:{silos[0].HttpPort}";
        foreach (var host in RealHosts)
        {
            _agents.Add(AgentProcess.Start(first, Token, host, labels));
        }
        var fleet = AgentProcess.Start(api.Http.BaseAddress!.ToString().TrimEnd('/'), Token, "rr-sim", labels, "", "--simulate", $"{Simulated}",
            "--host-prefix", SimPrefix, "--hosts-per-poll", "500");
        _agents.Add(fleet);
        var total = RealHosts.Length + Simulated;
        await Eventually.Until(() => FaultChecks.OnlineHostsAsync(_store.ConnectionString), n => n == total, Wait, $"{total} hosts online");
        output.WriteLine($"cluster and {total} hosts up after {elapsed.Elapsed.TotalSeconds:0.0} s");

        await PutPlanAsync(api, $$"""
            name: roll
            steps:
              - name: fan
                script:
                  source: |
                    echo "$ORCH_ASSIGNMENT_ID" >> {{_marks}}/$ORCH_HOST
                    sleep 3
                targets:
                  selector: fleet=roll
                execution:
                  parallelism: 50
                  rolling: {expression: "400", mode: confirm}
            """);
        var id = await RunAsync(api, "roll");
        var stepKey = GrainKeys.Step(id, 0);
        var fanOut = Stopwatch.StartNew();
        var progress = new List<(TimeSpan At, long Succeeded)>();
        var sampler = SampleAsync(stepKey, fanOut, progress, _sampling.Token);
        var events = new List<string>();

        // The first restart while the real hosts' scripts run (they sort first, into batch 1); each of the others right
        // after the test continued the rollout with its next batch.
        await Eventually.Until(() => Task.FromResult(RealHosts.Count(h => File.Exists(Path.Combine(_marks, h)))), n => n == RealHosts.Length, Wait,
            "every real host's script started");
        for (var i = 0; i < silos.Length; i++)
        {
            if (i > 0)
            {
                await ContinueNextBatchAsync(api, id, batch: i + 1);
            }
            var before = await FaultChecks.CountByStatusAsync(_store.ConnectionString, IndexKinds.Target, stepKey);
            Assert.True(before.GetValueOrDefault((int)TargetStatus.Succeeded) < total, $"the fan-out ended before restart {i + 1}: {Describe(before)}");
            events.Add($"{silos[i].Name} SIGTERM at {fanOut.Elapsed.TotalSeconds:0.0} s");
            var (exitCode, took) = await silos[i].Process.StopAsync();
            var dead = await FaultChecks.SiloStatusAsync(_store.ConnectionString, silos[i].SiloPort);
            output.WriteLine($"{silos[i].Name}: SIGTERM at {Describe(before)}; exit {exitCode} after {took.TotalSeconds:0.0} s, membership status {dead}");
            Assert.Equal(0, exitCode);
            Assert.True(took < Drain + TimeSpan.FromSeconds(5), $"{silos[i].Name} took {took} to stop (drain time {Drain})");
            Assert.Equal(6, dead); // it left the membership itself (Dead), so nobody waits for a probe timeout
            Assert.Contains("Drained:", silos[i].Process.Log, StringComparison.Ordinal);
            silos[i].Start();
            await silos[i].Process.WaitReadyAsync();
            events.Add($"{silos[i].Name} ready at {fanOut.Elapsed.TotalSeconds:0.0} s");
        }
        output.WriteLine($"three restarts done {fanOut.Elapsed.TotalSeconds:0.0} s into the run");

        // The rest of the rollout, continued batch by batch.
        var done = await Eventually.Until(async () =>
        {
            var instance = await GetAsync(api, $"/api/v1/task-instances/{id}");
            if (instance?["steps"]?[0]?["status"]?.GetValue<string>() == "paused")
            {
                // The instance's copy of the step's status follows the step's own a moment later: a continue sent on a
                // copy still reading "paused" after the previous continue is answered 409 (not paused) and is harmless.
                await PostAsync(api, $"/api/v1/task-instances/{id}/steps/0/continue", alreadyDone: "is not paused");
            }
            return instance;
        }, i => i?["status"]?.GetValue<string>() is "succeeded" or "failed" or "cancelled", Wait, $"instance {id} finished");
        output.WriteLine($"fan-out of {total} hosts with three restarts: {fanOut.Elapsed.TotalSeconds:0.0} s");
        await _sampling.CancelAsync();
        await sampler;
        output.WriteLine(string.Join("; ", events));
        output.WriteLine("no target finished for 3 s or more (a batch waiting for its confirmation included): " + Stalls(progress, total));

        Assert.Equal("succeeded", done!["status"]!.GetValue<string>());
        var counts = await FaultChecks.CountByStatusAsync(_store.ConnectionString, IndexKinds.Target, stepKey);
        Assert.Equal([((int)TargetStatus.Succeeded, (long)total)], counts.Select(c => (c.Key, c.Value))); // one final row per host
        using (var client = await FaultChecks.ConnectAsync(_store.ConnectionString))
        {
            var grains = client.Services.GetRequiredService<IGrainFactory>();
            var hosts = RealHosts.Concat(Enumerable.Range(1, Simulated).Select(i => $"{SimPrefix}{i:D5}")).ToList();
            await FaultChecks.AssertTargetsEndedOnceAsync(grains, stepKey, hosts);
            var step = await grains.GetGrain<IStepGrain>(stepKey).GetAsync();
            Assert.Equal((ExecutionStatus.Succeeded, total, total, total, 0, 0),
                (step!.Status, step.TotalTargets, step.Dispatched, step.Succeeded, step.Failed, step.NotStarted)); // each report counted once
            await client.StopAsync();
        }
        Assert.Equal(0L, await FaultChecks.CountKindAsync(_store.ConnectionString, IndexKinds.Assignment)); // no assignment left open
        Assert.Equal(0L, await FaultChecks.DeadLettersAsync(_store.ConnectionString)); // nothing parked
        foreach (var host in RealHosts)
        {
            var runs = (await File.ReadAllLinesAsync(Path.Combine(_marks, host))).Where(l => l.Length > 0).ToList();
            Assert.Equal([$"{stepKey}:{host}#1"], runs); // the script ran once, for the first attempt
        }
        Assert.False(fleet.HasExited, "the simulated fleet exited");
        Assert.DoesNotContain("again (assignment", fleet.Log, StringComparison.Ordinal); // no simulated host ran its target twice
        output.WriteLine($"elapsed {elapsed.Elapsed.TotalSeconds:0.0} s");
    }

    private async Task ContinueNextBatchAsync(SiloProcess api, string id, int batch)
    {
        await Eventually.Until(() => GetAsync(api, $"/api/v1/task-instances/{id}"), i => i?["steps"]?[0]?["status"]?.GetValue<string>() == "paused", Wait,
            $"batch {batch - 1} done, the rollout waiting for confirmation");
        await PostAsync(api, $"/api/v1/task-instances/{id}/steps/0/continue");
        await Eventually.Until(() => GetAsync(api, $"/api/v1/task-instances/{id}"), i => i?["steps"]?[0]?["batch"]?.GetValue<int>() >= batch, Wait,
            $"batch {batch} started");
    }

    /// <summary>Succeeded targets every 500 ms from the database, for the stalls the output reports.</summary>
    private async Task SampleAsync(string stepKey, Stopwatch clock, List<(TimeSpan At, long Succeeded)> progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var counts = await FaultChecks.CountByStatusAsync(_store.ConnectionString, IndexKinds.Target, stepKey);
                progress.Add((clock.Elapsed, counts.GetValueOrDefault((int)TargetStatus.Succeeded)));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static string Stalls(List<(TimeSpan At, long Succeeded)> progress, int total)
    {
        var stalls = new List<string>();
        for (var i = 0; i < progress.Count; i++)
        {
            var j = i;
            while (j + 1 < progress.Count && progress[j + 1].Succeeded == progress[i].Succeeded)
            {
                j++;
            }
            if (progress[i].Succeeded < total && progress[j].At - progress[i].At >= TimeSpan.FromSeconds(3))
            {
                stalls.Add($"{progress[i].At.TotalSeconds:0.0}-{progress[j].At.TotalSeconds:0.0} s at {progress[i].Succeeded}");
            }
            i = j;
        }
        return stalls.Count == 0 ? "none" : string.Join(", ", stalls);
    }

    private SiloProcess Track(SiloProcess process)
    {
        _processes.Add(process);
        return process;
    }

    private static string Describe(Dictionary<int, long> counts) =>
        string.Join(' ', counts.OrderBy(c => c.Key).Select(c => $"{(TargetStatus)c.Key}={c.Value}"));

    private static async Task PutPlanAsync(SiloProcess api, string yaml)
    {
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await api.Http.PutAsync("/api/v1/plans/roll", content);
        Assert.True(response.IsSuccessStatusCode, $"PUT plan: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<string> RunAsync(SiloProcess api, string plan)
    {
        using var response = await api.Http.PostAsJsonAsync($"/api/v1/plans/{plan}/run", new { });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"run: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    /// <summary>POSTs a control action; with <paramref name="alreadyDone"/>, a 409 whose detail contains it counts as done.</summary>
    private static async Task PostAsync(SiloProcess api, string path, string? alreadyDone = null)
    {
        using var response = await api.Http.PostAsJsonAsync(path, new { reason = "rolling restart test" });
        var body = await response.Content.ReadAsStringAsync();
        var done = response.IsSuccessStatusCode
            || (alreadyDone is not null && response.StatusCode == System.Net.HttpStatusCode.Conflict && body.Contains(alreadyDone, StringComparison.Ordinal));
        Assert.True(done, $"POST {path}: {(int)response.StatusCode} {body}");
    }

    /// <summary>The resource, or null while it cannot be read.</summary>
    private static async Task<JsonNode?> GetAsync(SiloProcess api, string path)
    {
        try
        {
            using var response = await api.Http.GetAsync(path);
            return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>One silo of the cluster: its name, ports and data directory, kept across restarts.</summary>
    private sealed class SiloSlot(string name, RollingRestartTests test)
    {
        private readonly string _data = SiloProcess.NewDataDirectory(name);
        private readonly int _gatewayPort = EngineHarness.FreePort();

        public string Name => name;

        public int HttpPort { get; } = EngineHarness.FreePort();

        public int SiloPort { get; } = EngineHarness.FreePort();

        public SiloProcess Process { get; private set; } = null!;

        public void Start() =>
            Process = test.Track(SiloProcess.StartOnPort(_data, HttpPort, "--store", "postgres", "--connection-string", test._store.ConnectionString,
                "--agent-token", Token, "--local-agent", "false", "--silo-name", name, "--silo-port", $"{SiloPort}", "--gateway-port", $"{_gatewayPort}",
                "--shutdown-drain-timeout", $"{Drain:c}"));
    }
}
