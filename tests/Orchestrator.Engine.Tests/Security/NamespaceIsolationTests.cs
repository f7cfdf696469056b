using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Orchestrator.Engine.Tests.Security.NamespaceFixture;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>
/// A caller never sees another namespace's objects: every direct read and action on one answers 404 (as for an object
/// that does not exist) while the same on its own works, and lists leave them out. Steps reach only hosts of their
/// plan's namespace, with two real agents in different namespaces that carry the same label.
/// </summary>
[Collection(NamespaceCollection.Name)]
public sealed class NamespaceIsolationTests(NamespaceFixture fixture)
{
    /// <summary>Every read and action on one object of each kind: (method, path) by the namespace-a or b object.</summary>
    private static IEnumerable<(HttpMethod Method, string Path)> Calls(string plan, string instance, string host) =>
    [
        (HttpMethod.Get, $"/api/v1/plans/{plan}"),
        (HttpMethod.Get, $"/api/v1/plans/{plan}?version=1"),
        (HttpMethod.Get, $"/api/v1/plans/{plan}?format=yaml"),
        (HttpMethod.Post, $"/api/v1/plans/{plan}/run"),
        (HttpMethod.Get, $"/api/v1/plans/{plan}/schedules"),
        (HttpMethod.Get, $"/api/v1/plans/{plan}/schedules/nightly"),
        (HttpMethod.Post, $"/api/v1/plans/{plan}/schedules/nightly/resume"),
        (HttpMethod.Get, $"/api/v1/task-instances/{instance}"),
        (HttpMethod.Get, $"/api/v1/task-instances/{instance}/steps/0/targets"),
        (HttpMethod.Get, $"/api/v1/task-instances/{instance}/steps/0/targets/{host}"),
        (HttpMethod.Get, $"/api/v1/task-instances/{instance}/steps/0/targets/{host}/log"),
        (HttpMethod.Post, $"/api/v1/task-instances/{instance}/cancel"),
        (HttpMethod.Post, $"/api/v1/task-instances/{instance}/steps/0/skip"),
        (HttpMethod.Post, $"/api/v1/task-instances/{instance}/steps/0/approve"),
        (HttpMethod.Post, $"/api/v1/task-instances/{instance}/steps/0/retry"),
        (HttpMethod.Get, $"/api/v1/task-instances/{instance}/hook"),
        (HttpMethod.Get, $"/api/v1/hosts/{host}"),
        (HttpMethod.Post, $"/api/v1/hosts/{host}/revoke"),
    ];

    private static async Task<(HttpStatusCode Status, string Body)> CallAsync(HttpClient http, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = JsonContent.Create(new { });
        }
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EveryReadAndAction_OnAnotherNamespacesObject_Is404()
    {
        var seen = new List<string>();
        foreach (var (method, path) in Calls(fixture.PlanB, fixture.InstanceB, HostB))
        {
            var (status, body) = await CallAsync(fixture.AdminA, method, path);
            if (status != HttpStatusCode.NotFound)
            {
                seen.Add($"{method} {path}: {(int)status} {body}");
            }
            Assert.DoesNotContain("'b'", body, StringComparison.Ordinal); // not even the namespace's name
        }
        Assert.True(seen.Count == 0, "answered other than 404:\n" + string.Join("\n", seen));
    }

    [Fact]
    public async Task EventStream_OfAnotherNamespacesRun_Is404()
    {
        // Not in Calls: read by its own namespace, the stream stays open while the run goes on.
        var (status, body) = await CallAsync(fixture.AdminA, HttpMethod.Get, $"/api/v1/task-instances/{fixture.InstanceB}/events");

        Assert.True(status == HttpStatusCode.NotFound, $"{(int)status} {body}");
        Assert.DoesNotContain(fixture.PlanB, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryRead_OnItsOwnNamespacesObject_Works()
    {
        var reads = Calls(fixture.PlanB, fixture.InstanceB, HostB).Where(c => c.Method == HttpMethod.Get).ToList();
        var seen = new List<string>();
        foreach (var (method, path) in reads)
        {
            var (status, body) = await CallAsync(fixture.AdminB, method, path);
            if (status != HttpStatusCode.OK && !path.EndsWith("/hook", StringComparison.Ordinal)) // the run has no status hook: its own 404
            {
                seen.Add($"{method} {path}: {(int)status} {body}");
            }
        }
        Assert.True(seen.Count == 0, "refused:\n" + string.Join("\n", seen));
    }

    [Fact]
    public async Task Lists_ShowOnlyTheCallersNamespaces_WithTheirNamespace()
    {
        var lists = new Dictionary<string, (string Path, string Key, string OwnId, string OtherId)>
        {
            ["plans"] = ("/api/v1/plans", "id", fixture.PlanA, fixture.PlanB),
            ["instances"] = ("/api/v1/task-instances", "id", fixture.InstanceA, fixture.InstanceB),
            ["hosts"] = ("/api/v1/hosts", "host", HostA, HostB),
        };
        foreach (var (what, (path, key, own, other)) in lists)
        {
            var items = JsonNode.Parse(await ExpectAsync(HttpStatusCode.OK, await fixture.AdminA.GetAsync(path + "?limit=500")))!["items"]!.AsArray();
            var ids = items.Select(i => i![key]!.GetValue<string>()).ToList();
            Assert.True(ids.Contains(own), $"{what}: {own} missing from {string.Join(", ", ids)}");
            Assert.False(ids.Contains(other), $"{what}: {other} of namespace b listed to a's admin");
            Assert.All(items, i => Assert.Equal("a", i!["namespace"]!.GetValue<string>()));
        }
        var schedulesOfA = JsonNode.Parse(await ExpectAsync(HttpStatusCode.OK, await fixture.AdminA.GetAsync("/api/v1/schedules")))!["items"]!.AsArray();
        var schedulesOfB = JsonNode.Parse(await ExpectAsync(HttpStatusCode.OK, await fixture.AdminB.GetAsync("/api/v1/schedules")))!["items"]!.AsArray();
        Assert.Empty(schedulesOfA);
        var scheduleOfB = Assert.Single(schedulesOfB)!;
        Assert.Equal($"{fixture.PlanB}/nightly", scheduleOfB["key"]!.GetValue<string>());
        Assert.Equal("b", scheduleOfB["namespace"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_OfANamespaceTheCallerMayNotRead_IsEmpty_AndOfItsOwnIsThatNamespaces()
    {
        foreach (var path in new[] { "/api/v1/plans", "/api/v1/task-instances", "/api/v1/schedules", "/api/v1/hosts" })
        {
            var foreign = JsonNode.Parse(await ExpectAsync(HttpStatusCode.OK, await fixture.AdminA.GetAsync(path + "?namespace=b")))!;
            var own = JsonNode.Parse(await ExpectAsync(HttpStatusCode.OK, await fixture.AdminB.GetAsync(path + "?namespace=b")))!;
            var everything = JsonNode.Parse(await ExpectAsync(HttpStatusCode.OK, await fixture.Harness.Http.GetAsync(path + "?namespace=b")))!;

            Assert.Empty(foreign["items"]!.AsArray());
            Assert.NotEmpty(own["items"]!.AsArray());
            Assert.Equal(own["items"]!.ToJsonString(), everything["items"]!.ToJsonString());
        }
    }

    [Fact]
    public async Task AdminOfEveryNamespace_ListsBoth()
    {
        var plans = JsonNode.Parse(await fixture.Harness.Http.GetStringAsync("/api/v1/plans?limit=500"))!["items"]!.AsArray();
        var hosts = JsonNode.Parse(await fixture.Harness.Http.GetStringAsync("/api/v1/hosts?limit=500"))!["items"]!.AsArray();

        Assert.Contains(plans, p => p!["id"]!.GetValue<string>() == fixture.PlanA && p["namespace"]!.GetValue<string>() == "a");
        Assert.Contains(plans, p => p!["id"]!.GetValue<string>() == fixture.PlanB && p["namespace"]!.GetValue<string>() == "b");
        Assert.Contains(hosts, h => h!["host"]!.GetValue<string>() == HostB && h["namespace"]!.GetValue<string>() == "b");
    }

    [Fact]
    public async Task Selector_MatchingHostsOfTwoNamespaces_RunsOnlyOnThePlansNamespace()
    {
        var targetsA = await fixture.Harness.ListTargetsAsync(fixture.InstanceA, 0);
        var targetsB = await fixture.Harness.ListTargetsAsync(fixture.InstanceB, 0);
        var instanceA = await fixture.Harness.GetInstanceAsync(fixture.InstanceA);

        Assert.Equal([HostA], targetsA.Select(t => t!["host"]!.GetValue<string>()));
        Assert.Equal([HostB], targetsB.Select(t => t!["host"]!.GetValue<string>()));
        Assert.Equal("succeeded", instanceA["status"]!.GetValue<string>());
        Assert.Equal("a", instanceA["namespace"]!.GetValue<string>());
        Assert.Contains($"hello from {HostA}", await fixture.Harness.LogTextAsync(fixture.InstanceA, 0, HostA), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamedHostOfAnotherNamespace_IsNotReached_AsAHostThatNeverRegistered()
    {
        var plan = "nsnamed-" + Guid.NewGuid().ToString("N")[..8];
        var yaml = $"""
            name: reach-b
            namespace: a
            steps:
              - name: try
                targets: {"{"}hosts: [{HostB}, never-registered-host]{"}"}
                script: echo reached
            """;
        await ExpectAsync(HttpStatusCode.Created, await SendPlanAsync(fixture.AdminA, HttpMethod.Put, $"/api/v1/plans/{plan}", yaml));

        var id = await RunAsync(fixture.AdminA, plan);
        var done = await fixture.Harness.WaitForInstanceAsync(id, TimeSpan.FromSeconds(90), "succeeded", "failed");
        var other = await fixture.Harness.GetTargetAsync(id, 0, HostB);
        var never = await fixture.Harness.GetTargetAsync(id, 0, "never-registered-host");

        Assert.Equal("failed", done["status"]!.GetValue<string>());
        Assert.Equal("agentOffline", other["status"]!.GetValue<string>());
        Assert.Equal(never["status"]!.GetValue<string>(), other["status"]!.GetValue<string>());
        Assert.Equal("", await fixture.Harness.LogTextAsync(id, 0, HostB));
    }

    [Fact]
    public async Task OperatorAndViewerOfA_RolesHoldOnA_AndBIsInvisible()
    {
        var (viewerRun, viewerBody) = await CallAsync(fixture.ViewerA, HttpMethod.Post, $"/api/v1/plans/{fixture.PlanA}/run");
        // Operator of b but only viewer of a: past the endpoint's check (operator somewhere), refused on a's plan.
        var (mixed, _) = await fixture.CreateTokenAsync("viewer-a-operator-b", new Dictionary<string, string[]> { ["a"] = ["viewer"], ["b"] = ["operator"] });
        using var mixedClient = fixture.Harness.NewClient(mixed);
        var (mixedRun, mixedBody) = await CallAsync(mixedClient, HttpMethod.Post, $"/api/v1/plans/{fixture.PlanA}/run");
        var (viewerRead, _) = await CallAsync(fixture.ViewerA, HttpMethod.Get, $"/api/v1/plans/{fixture.PlanA}");
        var (operatorRead, _) = await CallAsync(fixture.OperatorA, HttpMethod.Get, $"/api/v1/task-instances/{fixture.InstanceB}");
        var (operatorEdit, operatorEditBody) = await CallAsync(fixture.OperatorA, HttpMethod.Post, $"/api/v1/plans/{fixture.PlanA}/schedules/x/resume");
        var operatorRun = await RunAsync(fixture.OperatorA, fixture.PlanA);

        Assert.Equal(HttpStatusCode.Forbidden, viewerRun);
        Assert.Contains("'operator' role", viewerBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, mixedRun);
        Assert.Contains("'operator' role (or one implying it) on namespace 'a'", mixedBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, viewerRead);
        Assert.Equal(HttpStatusCode.NotFound, operatorRead);
        Assert.Equal(HttpStatusCode.Forbidden, operatorEdit);
        Assert.Contains("'admin' role", operatorEditBody, StringComparison.Ordinal);
        Assert.NotEmpty(operatorRun);
    }

    [Fact]
    public async Task AuditAndDeadLetters_NeedAdminOnEveryNamespace()
    {
        var (audit, auditBody) = await CallAsync(fixture.AdminA, HttpMethod.Get, "/api/v1/audit");
        var (deadLetters, _) = await CallAsync(fixture.AdminA, HttpMethod.Get, "/api/v1/dead-letters");
        var (parked, _) = await CallAsync(fixture.AdminA, HttpMethod.Get, "/api/v1/hooks/parked");
        var (everyAudit, _) = await CallAsync(fixture.Harness.Http, HttpMethod.Get, "/api/v1/audit");

        Assert.Equal(HttpStatusCode.Forbidden, audit);
        Assert.Contains("on namespace '*'", auditBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, deadLetters);
        Assert.Equal(HttpStatusCode.Forbidden, parked);
        Assert.Equal(HttpStatusCode.OK, everyAudit);
    }
}
