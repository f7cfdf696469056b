using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Examples;

/// <summary>The single-node silo process (SQLite, its own local agent) the example connects to through its gateway.</summary>
public sealed class SingleNodeSiloFixture : IAsyncLifetime
{
    public int GatewayPort { get; } = EngineHarness.FreePort();

    public SiloProcess Silo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Silo = SiloProcess.Start(SiloProcess.NewDataDirectory("grain-client"), "--silo-port", $"{EngineHarness.FreePort()}", "--gateway-port", $"{GatewayPort}");
        await Silo.WaitReadyAsync();
        await Silo.WaitForHostAsync("local");
    }

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

/// <summary>
/// <c>examples/GrainClient</c> as a user runs it: a real process joining a real silo process as an Orleans client,
/// saving and running a plan through <c>IPlanGrain</c> and following it through the grains; what it reports is checked
/// against the REST API of the same silo.
/// </summary>
public sealed partial class GrainClientExampleTests(SingleNodeSiloFixture fixture, ITestOutputHelper output) : IClassFixture<SingleNodeSiloFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task GrainClient_HelloYamlOnTheSingleNodeSilo_FollowsItToSucceededAndExitsZero()
    {
        var run = await RunAsync("--gateway-port", $"{fixture.GatewayPort}", "--plan", Repo.Path("examples", "hello.yaml"), "--plan-id", "hello-grain-client");

        Assert.True(run.ExitCode == 0, run.ToString());
        var id = InstanceId(run);
        Assert.Contains($"connected to the silo's gateway at 127.0.0.1:{fixture.GatewayPort}", run.Output, StringComparison.Ordinal);
        Assert.Contains("plan hello-grain-client: saved version 1", run.Output, StringComparison.Ordinal);
        Assert.Contains("target 0 greet local: Succeeded, exit code 0", run.Output, StringComparison.Ordinal);
        Assert.Contains("step 0 greet: Succeeded, 1/1 succeeded, 0 failed", run.Output, StringComparison.Ordinal);
        Assert.EndsWith($"instance {id}: Succeeded\nresult: instance {id} succeeded", run.Output.ReplaceLineEndings("\n").TrimEnd(), StringComparison.Ordinal);
        Assert.Equal("", run.Error);
        Assert.Equal("succeeded", await StatusAsync(id));
        Assert.Contains("hello from", await fixture.Silo.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/local/log?format=text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrainClient_ARunThatFails_ExitsOneNamingTheStepAndItsReason()
    {
        var plan = Path.Combine(fixture.Silo.DataDirectory, "fails.yaml");
        await File.WriteAllTextAsync(plan, """
            name: fails
            steps:
              - name: boom
                targets:
                  hosts: [local]
                script: exit 3
            """);

        var run = await RunAsync("--gateway-port", $"{fixture.GatewayPort}", "--plan", plan);

        Assert.True(run.ExitCode == 1, run.ToString());
        var id = InstanceId(run);
        Assert.Contains("target 0 boom local: Failed, exit code 3", run.Output, StringComparison.Ordinal);
        Assert.Contains($"instance {id}: Failed", run.Output, StringComparison.Ordinal);
        Assert.StartsWith($"error: instance {id} ended Failed: step 'boom' failed", run.Error, StringComparison.Ordinal);
        Assert.Equal("failed", await StatusAsync(id));
    }

    [Fact]
    public async Task GrainClient_AnInvalidPlan_ExitsTwoWithTheErrorsLineAndColumn_AndStoresNothing()
    {
        var plan = Path.Combine(fixture.Silo.DataDirectory, "invalid.yaml");
        await File.WriteAllTextAsync(plan, "name: invalid\nsteps: []\n");

        var run = await RunAsync("--gateway-port", $"{fixture.GatewayPort}", "--plan", plan);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"error: {plan}: line 2", run.Error, StringComparison.Ordinal);
        using var stored = await fixture.Silo.Http.GetAsync("/api/v1/plans/invalid");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, stored.StatusCode);
    }

    [Fact]
    public async Task GrainClient_NoSiloAtTheGateway_ExitsThreeNamingTheGateway()
    {
        var port = EngineHarness.FreePort();

        var run = await RunAsync("--gateway-port", $"{port}", "--connect-timeout", "3s");

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains($"error: cannot reach the silo's gateway at 127.0.0.1:{port} (cluster orchestrator/orchestrator)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("plan ", run.Output, StringComparison.Ordinal);
    }

    private async Task<ExampleProcess> RunAsync(params string[] args)
    {
        var run = await ExampleProcess.RunAsync(Deadline, args);
        output.WriteLine(run.ToString());
        return run;
    }

    private async Task<string> StatusAsync(string id) =>
        JsonNode.Parse(await fixture.Silo.Http.GetStringAsync($"/api/v1/task-instances/{id}"))!["status"]!.GetValue<string>();

    internal static string InstanceId(ExampleProcess run)
    {
        var started = StartedLine().Match(run.Output);
        Assert.True(started.Success, $"no 'instance … started' line:\n{run}");
        return started.Groups[1].Value;
    }

    [GeneratedRegex(@"^instance ([0-9a-f]{32}): started", RegexOptions.Multiline)]
    private static partial Regex StartedLine();
}
