using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Hosting;

/// <summary>
/// The Orleans dashboard (<c>/dashboard</c>) of the real single-node silo process: its data endpoints show this silo
/// and our grain types with activations once a plan ran, and neither they nor a grain's state page show the agent
/// token, the jobs secret or a secret parameter.
/// </summary>
public sealed class DashboardTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Secret = "dashboard-secret-value-7f3a";
    private SiloProcess _silo = null!;

    public Task InitializeAsync()
    {
        _silo = SiloProcess.Start(SiloProcess.NewDataDirectory("dashboard"), "--silo-name", "dash-silo");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        output.WriteLine(_silo.Log);
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task Dashboard_AfterAPlanRan_ShowsThisSiloAndOurGrainTypesWithoutSecrets()
    {
        await _silo.WaitReadyAsync();
        await _silo.WaitForHostAsync("local");
        using (var put = await _silo.Http.PutAsync("/api/v1/plans/dash", new StringContent("""
            name: dash
            parameters:
              - name: token
                type: secret
            steps:
              - name: greet
                script: echo "hello"
                targets:
                  hosts: [local]
            """, Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        using var run = await _silo.Http.PostAsJsonAsync("/api/v1/plans/dash/run", new { parameters = new { token = Secret } });
        var id = JsonNode.Parse(await run.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        await Eventually.Until(async () => JsonNode.Parse(await _silo.Http.GetStringAsync($"/api/v1/task-instances/{id}"))!["status"]!.GetValue<string>(),
            s => s is "succeeded" or "failed", TimeSpan.FromSeconds(60), $"instance {id} finished");

        // The counters are collected every second: wait until they include the grains the run activated and keeps (a
        // target deactivates once its step has its report, so it is among the grain types, not the active ones).
        string[] ours = ["Plans.PlanGrain", "Instances.TaskInstanceGrain", "Steps.StepGrain", "Hosts.HostGrain"];
        var countersText = await Eventually.Until(async () => await _silo.Http.GetStringAsync("/dashboard/DashboardCounters"),
            text => ours.All(t => text.Contains("Orchestrator.Grains." + t, StringComparison.Ordinal)), TimeSpan.FromSeconds(60),
            "the dashboard's counters to show our grains");
        var counters = JsonNode.Parse(countersText)!;
        var grainTypes = await _silo.Http.GetStringAsync("/dashboard/GrainTypes");
        // The dashboard's grain state page finds no state on a durable grain (it is not an Orleans IPersistentState).
        var state = await _silo.Http.GetStringAsync($"/dashboard/GrainState?grainId={id}&grainType=Orchestrator.Grains.Instances.TaskInstanceGrain");

        var silo = Assert.Single(counters["hosts"]!.AsArray());
        Assert.Equal(("dash-silo", "Active"), (silo!["siloName"]!.GetValue<string>(), silo["status"]!.GetValue<string>()));
        var stats = counters["simpleGrainStats"]!.AsArray();
        foreach (var type in ours)
        {
            Assert.Contains(stats, s => s!["grainType"]!.GetValue<string>() == "Orchestrator.Grains." + type && s["activationCount"]!.GetValue<int>() >= 1);
        }
        foreach (var type in new[] { "Plans.PlanGrain", "Targets.HostTargetGrain", "Schedules.ScheduleGrain", "Hooks.StatusHookGrain", "Jobs.JobLockGrain" })
        {
            Assert.Contains("Orchestrator.Grains." + type, grainTypes, StringComparison.Ordinal);
        }
        Assert.Equal("\"{}\"", state);
        var agentToken = (await File.ReadAllTextAsync(Path.Combine(_silo.DataDirectory, "data", "agent-token"))).Trim();
        var jobsSecret = (await File.ReadAllTextAsync(Path.Combine(_silo.DataDirectory, "data", "jobs-secret"))).Trim();
        foreach (var text in new[] { countersText, grainTypes, state })
        {
            Assert.DoesNotContain(agentToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(jobsSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Dashboard_WithoutAnAdminOfEveryNamespace_IsRefused()
    {
        await _silo.WaitReadyAsync();
        var viewer = await TokenAsync("dash-viewer", new Dictionary<string, string[]> { ["*"] = ["viewer"] });
        var namespaceAdmin = await TokenAsync("dash-ns-admin", new Dictionary<string, string[]> { ["default"] = ["admin"] });
        using var anonymous = new HttpClient { BaseAddress = _silo.Http.BaseAddress };

        using var none = await anonymous.GetAsync("/dashboard/DashboardCounters");
        using var page = await anonymous.GetAsync("/dashboard/");
        using var withCookieButPost = await SendAsync(anonymous, HttpMethod.Post, "/dashboard/DashboardCounters", cookie: _silo.AdminToken);
        using var asViewer = await SendAsync(anonymous, HttpMethod.Get, "/dashboard/DashboardCounters", bearer: viewer);
        using var asNamespaceAdmin = await SendAsync(anonymous, HttpMethod.Get, "/dashboard/DashboardCounters", bearer: namespaceAdmin);
        using var viewerCookie = await SendAsync(anonymous, HttpMethod.Get, "/dashboard/", cookie: viewer);
        using var adminCookie = await SendAsync(anonymous, HttpMethod.Get, "/dashboard/", cookie: _silo.AdminToken);
        using var adminBearer = await SendAsync(anonymous, HttpMethod.Get, "/dashboard/GrainTypes", bearer: _silo.AdminToken);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("admin of every namespace", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withCookieButPost.StatusCode); // the cookie serves reads only
        Assert.Equal(HttpStatusCode.Forbidden, asViewer.StatusCode);
        Assert.Contains("'admin' role on '*'", await asViewer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, asNamespaceAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerCookie.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminCookie.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminBearer.StatusCode);
    }

    private async Task<string> TokenAsync(string name, Dictionary<string, string[]> grants)
    {
        using var created = await _silo.Http.PostAsJsonAsync("/api/v1/tokens", new { name, grants });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"token: {(int)created.StatusCode} {body}");
        return JsonNode.Parse(body)!["token"]!.GetValue<string>();
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? bearer = null, string? cookie = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", $"orch_console={cookie}");
        }
        return await http.SendAsync(request);
    }
}
