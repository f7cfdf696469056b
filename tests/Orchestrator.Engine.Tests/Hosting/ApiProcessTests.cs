using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Hosting;

/// <summary>
/// The REST API as its own process (<c>--role api</c>) beside a silo process on PostgreSQL: it joins the cluster as an
/// Orleans client through the membership table and serves the whole API and the agent gateway; a plan runs on an agent
/// that only knows the API process. Real processes, real PostgreSQL.
/// </summary>
public sealed class ApiProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "api-process-token";
    private readonly Runtime.Persistence.OrchestratorDatabaseOptions _store = EngineStores.Postgres("apiproc");
    private readonly List<IAsyncDisposable> _cleanup = [];
    private readonly List<SiloProcess> _processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            output.WriteLine($"--- process on port {process.Port} ---");
            output.WriteLine(process.Log);
        }
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            await item.DisposeAsync();
        }
        await EngineStores.DropAsync(_store);
    }

    [Fact]
    public async Task ApiRole_BesideASilo_RunsAPlanOnAnAgentOfItsOwn_AndStopsCleanly()
    {
        var silo = Start("silo", "--store", "postgres", "--connection-string", _store.ConnectionString, "--agent-token", Token, "--silo-name", "silo-1",
            "--shutdown-drain-timeout", "00:00:05");
        await silo.WaitReadyAsync();
        var api = Start("api", "--role", "api", "--store", "postgres", "--connection-string", _store.ConnectionString, "--agent-token", Token,
            "--shutdown-drain-timeout", "00:00:05");
        await api.WaitReadyAsync();
        var agent = AgentProcess.Start(api.Http.BaseAddress!.ToString().TrimEnd('/'), Token, "via-api");
        _cleanup.Add(agent);
        await api.WaitForHostAsync("via-api");

        using (var put = await api.Http.PutAsync("/api/v1/plans/hello", new StringContent("""
            name: hello
            steps:
              - name: greet
                script: echo "hello through the API process"
                targets:
                  hosts: [via-api]
            """, Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        using var run = await api.Http.PostAsJsonAsync("/api/v1/plans/hello/run", new { });
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        var id = JsonNode.Parse(await run.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        await Eventually.Until(async () => JsonNode.Parse(await api.Http.GetStringAsync($"/api/v1/task-instances/{id}"))!["status"]!.GetValue<string>(),
            s => s is "succeeded" or "failed", TimeSpan.FromSeconds(60), $"instance {id} finished");

        Assert.Equal("succeeded", JsonNode.Parse(await silo.Http.GetStringAsync($"/api/v1/task-instances/{id}"))!["status"]!.GetValue<string>());
        Assert.Contains("hello through the API process", await api.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/via-api/log?format=text"),
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(1, await LiveSilosAsync()); // the API process is a client, not a member

        Assert.Equal(0, (await api.StopAsync()).ExitCode);
        Assert.Equal(0, (await silo.StopAsync()).ExitCode);
    }

    [Fact]
    public async Task ApiRole_OnSqlite_IsRefusedNamingTheSetting()
    {
        var api = Start("api-sqlite", "--role", "api");

        var (exitCode, _) = await api.WaitForExitAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains("Role: 'api' joins a cluster through its PostgreSQL membership table", api.Log, StringComparison.Ordinal);
    }

    private SiloProcess Start(string name, params string[] args)
    {
        var process = SiloProcess.Start(SiloProcess.NewDataDirectory(name), args);
        _processes.Add(process);
        _cleanup.Add(process);
        return process;
    }

    private async Task<long> LiveSilosAsync()
    {
        await using var connection = new NpgsqlConnection(_store.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orch_cluster_silo WHERE status <> 6", connection);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
