using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Examples;

/// <summary>
/// The example against a PostgreSQL cluster: it knows no gateway address, only the cluster's database, and finds the
/// silo's gateway in the membership table (<c>UseOrchestratorClustering(connectionString)</c>).
/// </summary>
public sealed class GrainClientClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Runtime.Persistence.OrchestratorDatabaseOptions _store = EngineStores.Postgres("grainclient");
    private SiloProcess? _silo;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            output.WriteLine(_silo.Log);
            await _silo.DisposeAsync();
        }
        await EngineStores.DropAsync(_store);
    }

    [Fact]
    public async Task GrainClient_AgainstAPostgresCluster_FindsTheGatewayInTheMembershipTable_AndRunsThePlan()
    {
        _silo = SiloProcess.Start(SiloProcess.NewDataDirectory("grain-client-pg"), "--store", "postgres", "--connection-string", _store.ConnectionString,
            "--agent-token", "grain-client-token", "--local-agent", "true", "--cluster-id", "example-cluster");
        await _silo.WaitReadyAsync();
        await _silo.WaitForHostAsync("local");

        var run = await ExampleProcess.RunAsync(TimeSpan.FromMinutes(2), "--postgres", _store.ConnectionString, "--cluster-id", "example-cluster");
        output.WriteLine(run.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        var id = GrainClientExampleTests.InstanceId(run);
        Assert.Contains("connected to the cluster's gateways (PostgreSQL membership)", run.Output, StringComparison.Ordinal);
        Assert.Contains("plan hello-grains: saved version 1", run.Output, StringComparison.Ordinal);
        Assert.Contains("target 0 greet local: Succeeded, exit code 0", run.Output, StringComparison.Ordinal);
        Assert.Equal("succeeded", JsonNode.Parse(await _silo.Http.GetStringAsync($"/api/v1/task-instances/{id}"))!["status"]!.GetValue<string>());
    }
}
