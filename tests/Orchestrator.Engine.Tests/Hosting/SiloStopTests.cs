using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Persistence;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Hosting;

/// <summary>
/// SIGTERM (and SIGINT) to the real silo process: exit status 0 within the drain time, every time — single node
/// with and without its local agent, PostgreSQL with and without one, idle and with a script running. Before the
/// fix every one of these ended 15 s later with status 134 (an unhandled cancellation out of the silo's hand-off,
/// after the web server had waited on the agents' long polls). Drain times are short so that each stop takes
/// seconds; the margin covers the process's own exit on a busy machine.
/// </summary>
public sealed class SiloStopTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(3);
    private readonly List<IAsyncDisposable> _cleanup = [];
    private readonly List<SiloProcess> _silos = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            output.WriteLine($"--- silo on port {silo.Port} ---");
            output.WriteLine(silo.Log);
        }
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            await item.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sigterm_SingleNodeIdleWithLocalAgent_ExitsZeroWithinTheDrainTimeEveryTime()
    {
        var data = SiloProcess.NewDataDirectory("idle");
        string? previousSession = null;
        for (var round = 1; round <= 5; round++)
        {
            var silo = Start(data, "--shutdown-drain-timeout", "00:00:05");
            previousSession = await WaitForNewLocalSessionAsync(silo, previousSession);

            var (exitCode, elapsed) = await silo.StopAsync();

            Assert.True(exitCode == 0, $"round {round}: exit status {exitCode} after {elapsed}");
            Assert.True(elapsed < TimeSpan.FromSeconds(5) + Margin, $"round {round}: the stop took {elapsed}");
            Assert.Contains("Stopped in", silo.Log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sigterm_WhileStarting_ExitsZero()
    {
        var silo = Start(SiloProcess.NewDataDirectory("starting"), "--shutdown-drain-timeout", "00:00:05");
        // The first migration is logged by the silo's own start, after the host listens for signals: the start is
        // under way and is cut short (the host cancels it), which was an unhandled cancellation too.
        await silo.WaitForLogAsync("Applied SQLite migration");

        var (exitCode, elapsed) = await silo.StopAsync();

        Assert.True(exitCode == 0, $"exit status {exitCode} after {elapsed}");
        Assert.True(elapsed < TimeSpan.FromSeconds(5) + Margin, $"the stop took {elapsed}");
    }

    [Fact]
    public async Task Sigterm_SingleNodeWithoutLocalAgent_WhileARemoteAgentLongPolls_ExitsZeroWithinTheDrainTime()
    {
        var silo = Start(SiloProcess.NewDataDirectory("remote"), "--local-agent", "false", "--agent-token", "remote-token", "--shutdown-drain-timeout", "00:00:05");
        await silo.WaitReadyAsync();
        var agent = AgentProcess.Start(silo.Http.BaseAddress!.ToString().TrimEnd('/'), "remote-token", "stop-remote");
        _cleanup.Add(agent);
        await silo.WaitForHostAsync("stop-remote");

        var (exitCode, elapsed) = await silo.StopAsync();

        Assert.True(exitCode == 0, $"exit status {exitCode} after {elapsed}");
        Assert.True(elapsed < TimeSpan.FromSeconds(5) + Margin, $"the stop took {elapsed}");
        Assert.DoesNotContain("Local agent", silo.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_TwiceWithAScriptRunning_KillsAndReportsItExitsZero_AndTheRunHasEndedAfterRestart()
    {
        var data = SiloProcess.NewDataDirectory("inflight");
        var pidFile = Path.Combine(data, "sleep.pid");
        var silo = Start(data, "--shutdown-drain-timeout", "00:00:04");
        await silo.WaitForHostAsync("local");
        var id = await RunScriptAsync(silo, $"echo started; sleep 30 & echo $! > {pidFile}; wait; echo never");
        await WaitForTargetAsync(silo, id, "running");
        await Eventually.Until(() => Task.FromResult(File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0), x => x, TimeSpan.FromSeconds(30), "the script's pid file");
        var sleepPid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        // A second SIGTERM during the drain changes nothing: the stop goes on as it was.
        var (exitCode, elapsed) = await silo.StopAsync(SiloProcess.Sigterm, SiloProcess.Sigterm);

        Assert.True(exitCode == 0, $"exit status {exitCode} after {elapsed}");
        Assert.True(elapsed < TimeSpan.FromSeconds(4) + Margin, $"the stop took {elapsed}");
        Assert.True(elapsed >= TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(100), $"the running script got half the drain time to finish, but the stop took only {elapsed}");
        Assert.False(ProcessIsAlive(sleepPid), $"the script's child {sleepPid} outlived the silo");
        Assert.Contains("killing 1 running assignment", silo.Log, StringComparison.Ordinal);

        // The next start finds the run ended (failed, saying why), not running forever.
        var again = Start(data, "--shutdown-drain-timeout", "00:00:04");
        await again.WaitReadyAsync();
        var instance = await WaitForInstanceAsync(again, id, "failed", "succeeded", "cancelled");
        Assert.Equal("failed", instance["status"]!.GetValue<string>());
        var target = await GetJsonAsync(again, $"/api/v1/task-instances/{id}/steps/0/targets/local");
        Assert.Contains("the agent stopped", target!["attempts"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        var log = await again.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/local/log?format=text");
        Assert.Contains("started", log, StringComparison.Ordinal);
        Assert.Contains("Killed: the agent stopped", log, StringComparison.Ordinal);
        Assert.Equal(0, (await again.StopAsync()).ExitCode);
    }

    [Fact]
    public async Task Sigint_WithAScriptEndingWithinTheDrain_LetsItFinishAndExitsZero()
    {
        var data = SiloProcess.NewDataDirectory("finish");
        var silo = Start(data, "--shutdown-drain-timeout", "00:00:08");
        await silo.WaitForHostAsync("local");
        var id = await RunScriptAsync(silo, "echo started; sleep 1; echo finished");
        await WaitForTargetAsync(silo, id, "running");

        var (exitCode, elapsed) = await silo.StopAsync(SiloProcess.Sigint);

        Assert.True(exitCode == 0, $"exit status {exitCode} after {elapsed}");
        Assert.True(elapsed < TimeSpan.FromSeconds(4), $"the stop waited past the script's end: {elapsed}");
        var again = Start(data);
        await again.WaitReadyAsync();
        var instance = await WaitForInstanceAsync(again, id, "failed", "succeeded", "cancelled");
        Assert.Equal("succeeded", instance["status"]!.GetValue<string>());
        Assert.Contains("finished", await again.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/local/log?format=text"), StringComparison.Ordinal);
        Assert.Equal(0, (await again.StopAsync()).ExitCode);
    }

    [Fact]
    public async Task Sigterm_PostgresWithLocalAgent_ExitsZeroWithinTheDrainTimeAndLeavesTheCluster()
    {
        var store = Postgres();
        var silo = Start(SiloProcess.NewDataDirectory("pg-local"), "--store", "postgres", "--connection-string", store.ConnectionString,
            "--agent-token", "pg-token", "--local-agent", "true", "--shutdown-drain-timeout", "00:00:05");
        await silo.WaitForHostAsync("local");
        await silo.WaitReadyAsync();

        var (exitCode, elapsed) = await silo.StopAsync();

        Assert.True(exitCode == 0, $"exit status {exitCode} after {elapsed}");
        Assert.True(elapsed < TimeSpan.FromSeconds(5) + Margin, $"the stop took {elapsed}");
        Assert.Equal(0, await LiveSilosAsync(store.ConnectionString));
    }

    [Fact]
    public async Task Sigterm_PostgresWithoutLocalAgent_WhileARemoteAgentLongPolls_ExitsZeroAndLeavesTheCluster()
    {
        var store = Postgres();
        var silo = Start(SiloProcess.NewDataDirectory("pg-remote"), "--store", "postgres", "--connection-string", store.ConnectionString,
            "--agent-token", "pg-token", "--shutdown-drain-timeout", "00:00:05");
        await silo.WaitReadyAsync();
        var agent = AgentProcess.Start(silo.Http.BaseAddress!.ToString().TrimEnd('/'), "pg-token", "stop-pg-remote");
        _cleanup.Add(agent);
        await silo.WaitForHostAsync("stop-pg-remote");

        var (exitCode, elapsed) = await silo.StopAsync();

        Assert.True(exitCode == 0, $"exit status {exitCode} after {elapsed}");
        Assert.True(elapsed < TimeSpan.FromSeconds(5) + Margin, $"the stop took {elapsed}");
        Assert.Equal(0, await LiveSilosAsync(store.ConnectionString));
    }

    private SiloProcess Start(string data, params string[] args)
    {
        var silo = SiloProcess.Start(data, args);
        _silos.Add(silo);
        _cleanup.Add(silo);
        return silo;
    }

    private SchemaStore Postgres()
    {
        var store = new SchemaStore(EngineStores.Postgres("stop"));
        _cleanup.Add(store);
        return store;
    }

    /// <summary>Waits until host <c>local</c> is online under a session other than <paramref name="previous"/>: this start's agent registered.</summary>
    private static async Task<string> WaitForNewLocalSessionAsync(SiloProcess silo, string? previous)
    {
        await silo.WaitReadyAsync();
        var host = await Eventually.Until(() => GetJsonAsync(silo, "/api/v1/hosts/local"),
            h => h?["status"]?.GetValue<string>() == "online" && h["sessionId"]?.GetValue<string>() is { } session && session != previous,
            TimeSpan.FromSeconds(60), "this start's local agent registered");
        return host!["sessionId"]!.GetValue<string>();
    }

    private static async Task<string> RunScriptAsync(SiloProcess silo, string script)
    {
        var yaml = new StringBuilder("name: stop-test\nsteps:\n  - name: work\n    targets:\n      hosts: [local]\n    script: |\n");
        yaml.Append("      ").Append(script).Append('\n');
        using (var plan = new StringContent(yaml.ToString(), Encoding.UTF8, "application/yaml"))
        using (var put = await silo.Http.PutAsync("/api/v1/plans/stop-test", plan))
        {
            Assert.True(put.IsSuccessStatusCode, $"PUT plan: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }
        using var run = await silo.Http.PostAsJsonAsync("/api/v1/plans/stop-test/run", new { });
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        return JsonNode.Parse(await run.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    private static Task WaitForTargetAsync(SiloProcess silo, string id, string status) =>
        Eventually.Until(() => GetJsonAsync(silo, $"/api/v1/task-instances/{id}/steps/0/targets/local"), t => t?["status"]?.GetValue<string>() == status,
            TimeSpan.FromSeconds(60), $"the target {status}");

    private static async Task<JsonNode> WaitForInstanceAsync(SiloProcess silo, string id, params string[] statuses) =>
        (await Eventually.Until(() => GetJsonAsync(silo, $"/api/v1/task-instances/{id}"), i => statuses.Contains(i?["status"]?.GetValue<string>()),
            TimeSpan.FromSeconds(60), $"instance {id} {string.Join("|", statuses)}"))!;

    private static async Task<JsonNode?> GetJsonAsync(SiloProcess silo, string path)
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

    /// <summary>
    /// Silos the membership table does not list as dead (Orleans' <c>SiloStatus.Dead</c> = 6): a silo that stopped cleanly
    /// declared itself dead on its way out, so its grains may activate elsewhere at once.
    /// </summary>
    private static async Task<long> LiveSilosAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orch_cluster_silo WHERE status <> 6", connection);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Alive: the process exists and is not a zombie waiting to be reaped (a container's init may be slow to).</summary>
    private static bool ProcessIsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A PostgreSQL schema of this test's own, dropped at the end.</summary>
    private sealed class SchemaStore(OrchestratorDatabaseOptions options) : IAsyncDisposable
    {
        public string ConnectionString => options.ConnectionString;

        public ValueTask DisposeAsync() => new(EngineStores.DropAsync(options));
    }
}
