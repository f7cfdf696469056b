using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.HostOperations;

/// <summary>
/// Pause, resume and drain of hosts with real agents: a paused or draining host is handed no new work while what runs
/// on it goes on; a draining host shows drained once nothing runs on it; only an admin of the host's namespace may.
/// </summary>
public sealed class HostOperationsTests(HostOperationsFixture fixture) : IClassFixture<HostOperationsFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private EngineHarness H => fixture.Harness;

    private async Task<JsonNode> PostAsync(string host, string action)
    {
        using var response = await H.Http.PostAsync($"/api/v1/hosts/{host}/{action}", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action} {host}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private async Task<string> OperationAsync(string host) =>
        JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/hosts/{host}"))!["operation"]!.GetValue<string>();

    private async Task<string> ListedOperationAsync(string host)
    {
        var page = JsonNode.Parse(await H.Http.GetStringAsync("/api/v1/hosts?limit=500"))!;
        return page["items"]!.AsArray().Single(i => i!["host"]!.GetValue<string>() == host)!["operation"]!.GetValue<string>();
    }

    private async Task<string> TargetStatusAsync(string id, string host) => (await H.GetTargetAsync(id, 0, host))["status"]?.GetValue<string>() ?? "absent";

    private static string Plan(string source, params string[] hosts) => $$"""
        name: ops
        steps:
          - name: work
            script:
              source: {{source}}
            targets:
              hosts: [{{string.Join(", ", hosts)}}]
        """;

    [Fact]
    public async Task Pause_TargetOfPausedHostWaitsWhileOtherHostRuns_ResumeRunsIt()
    {
        H.StartAgent("ops-paused");
        H.StartAgent("ops-free");
        await H.WaitForHostsAsync("ops-paused", "ops-free");

        var paused = await PostAsync("ops-paused", "pause");
        var id = await H.RunAsync(await H.PutPlanAsync(Plan("echo hi", "ops-paused", "ops-free")));
        await Eventually.Until(() => TargetStatusAsync(id, "ops-free"), s => s == "succeeded", Wait, "the free host's target succeeded");
        var dispatched = await Eventually.Until(() => TargetStatusAsync(id, "ops-paused"), s => s != "absent", Wait, "the paused host's target made");
        // The free host's agent polled, ran and reported while the paused host's agent polled the same way: it got nothing.
        var whilePaused = await TargetStatusAsync(id, "ops-paused");

        Assert.Equal("paused", paused["operation"]!.GetValue<string>());
        Assert.Equal("admin", paused["operationBy"]!.GetValue<string>());
        Assert.Equal("online", paused["status"]!.GetValue<string>());
        Assert.Equal("paused", await ListedOperationAsync("ops-paused"));
        Assert.Equal("active", await ListedOperationAsync("ops-free"));
        Assert.Equal("dispatched", dispatched);
        Assert.Equal("dispatched", whilePaused);

        var resumed = await PostAsync("ops-paused", "resume");
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");

        Assert.Equal("active", resumed["operation"]!.GetValue<string>());
        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Equal("succeeded", await TargetStatusAsync(id, "ops-paused"));
    }

    [Fact]
    public async Task Drain_WhileAScriptRuns_DrainingUntilItFinishesThenDrained_AndNoNewWork()
    {
        var gate = Path.Combine(Path.GetTempPath(), "orch-drain-" + Guid.NewGuid().ToString("N"));
        H.StartAgent("ops-drain");
        await H.WaitForHostsAsync("ops-drain");
        var running = await H.RunAsync(await H.PutPlanAsync(Plan($"\"while [ ! -f {gate} ]; do sleep 0.1; done\"", "ops-drain")));
        await Eventually.Until(() => TargetStatusAsync(running, "ops-drain"), s => s == "running", Wait, "the long script running");

        var drain = await PostAsync("ops-drain", "drain");
        var later = await H.RunAsync(await H.PutPlanAsync(Plan("echo later", "ops-drain")));
        await Eventually.Until(() => TargetStatusAsync(later, "ops-drain"), s => s == "dispatched", Wait, "the later target dispatched");
        var whileRunning = await OperationAsync("ops-drain");
        var listedWhileRunning = await ListedOperationAsync("ops-drain");

        Assert.Equal("draining", drain["operation"]!.GetValue<string>());
        Assert.Equal("draining", whileRunning);
        Assert.Equal("draining", listedWhileRunning);
        Assert.Equal("running", await TargetStatusAsync(running, "ops-drain")); // what ran goes on

        await File.WriteAllTextAsync(gate, "go");
        try
        {
            var finished = await H.WaitForInstanceAsync(running, Wait, "succeeded", "failed");
            var drained = await Eventually.Until(() => OperationAsync("ops-drain"), o => o == "drained", Wait, "the host drained");

            Assert.Equal("succeeded", EngineHarness.StatusOf(finished));
            Assert.Equal("drained", await ListedOperationAsync("ops-drain"));
            Assert.Equal("dispatched", await TargetStatusAsync(later, "ops-drain")); // still no new work
        }
        finally
        {
            File.Delete(gate);
        }

        await PostAsync("ops-drain", "resume");
        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.WaitForInstanceAsync(later, Wait, "succeeded", "failed")));
    }

    [Fact]
    public async Task Pause_NotAdmin_403_OtherNamespacesAdmin_404_UnknownHost_404()
    {
        H.StartAgent("ops-guarded");
        await H.WaitForHostsAsync("ops-guarded");
        using var op = H.NewClient(await H.TokenForAsync("ops-operator", new Dictionary<string, string[]> { ["default"] = ["operator"] }));
        using var elsewhere = H.NewClient(await H.TokenForAsync("ops-elsewhere", new Dictionary<string, string[]> { ["team-x"] = ["admin"] }));

        using var byOperator = await op.PostAsync("/api/v1/hosts/ops-guarded/pause", null);
        using var byOtherAdmin = await elsewhere.PostAsync("/api/v1/hosts/ops-guarded/drain", null);
        using var unknown = await H.Http.PostAsync("/api/v1/hosts/ops-nobody/resume", null);
        using var badName = await H.Http.PostAsync("/api/v1/hosts/bad%20name/pause", null);

        Assert.Equal(HttpStatusCode.Forbidden, byOperator.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byOtherAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal("active", await OperationAsync("ops-guarded"));
    }

    [Fact]
    public async Task PauseAndResume_AreAudited()
    {
        H.StartAgent("ops-audited");
        await H.WaitForHostsAsync("ops-audited");

        await PostAsync("ops-audited", "pause");
        await PostAsync("ops-audited", "resume");
        var entries = await Eventually.Until(async () => JsonNode.Parse(await H.Http.GetStringAsync("/api/v1/audit?object=host:ops-audited"))!["items"]!.AsArray(),
            items => items.Count >= 2, Wait, "the audit entries");

        var actions = entries.Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Contains("host.pause", actions);
        Assert.Contains("host.resume", actions);
    }
}
