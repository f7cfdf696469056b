using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using static Orchestrator.Engine.Tests.Security.NamespaceFixture;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>
/// How objects get their namespace and keep it (plans, files), who may mint tokens for which namespaces, and that rows
/// written before namespaces existed are listed as <c>default</c>.
/// </summary>
[Collection(NamespaceCollection.Name)]
public sealed class NamespaceRulesTests(NamespaceFixture fixture)
{
    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    private static string Plan(string? ns) => $"""
        name: rules
        {(ns is null ? "" : "namespace: " + ns)}
        steps:
          - name: s
            targets: {"{"}hosts: [nowhere]{"}"}
            script: echo hi
        """;

    private static JsonNode Problem(string body) => JsonNode.Parse(body)!;

    private static async Task<string> NamespacesOf(HttpClient http)
    {
        var items = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces"))!["items"]!.AsArray();
        return string.Join("; ", items.Select(i => $"{i!["name"]}: {string.Join(",", i["roles"]!.AsArray().Select(r => r!.GetValue<string>()))}"));
    }

    [Fact]
    public async Task Namespaces_ListsThoseTheCallerMayRead_WithItsRolesThere()
    {
        Assert.Equal("a: viewer", await NamespacesOf(fixture.ViewerA));
        Assert.Equal("a: viewer,operator", await NamespacesOf(fixture.OperatorA));
        Assert.Equal("b: viewer,operator,approver,admin,agent", await NamespacesOf(fixture.AdminB));
        // An admin of '*' sees every namespace in use, and default.
        Assert.Equal("a: viewer,operator,approver,admin,agent; b: viewer,operator,approver,admin,agent; default: viewer,operator,approver,admin,agent", await NamespacesOf(fixture.Harness.Http));
    }

    [Fact]
    public async Task Create_InANamespaceWithoutAdminThere_Is403NamingRoleAndNamespace()
    {
        var body = await ExpectAsync(HttpStatusCode.Forbidden,
            await SendPlanAsync(fixture.AdminA, HttpMethod.Post, $"/api/v1/plans?id={NewId("p")}", Plan("b")));

        Assert.Contains("'admin' role (or one implying it) on namespace 'b'", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WhoseIdIsTakenInANamespaceTheCallerCannotSee_Is409WithoutNamingIt()
    {
        var post = await ExpectAsync(HttpStatusCode.Conflict,
            await SendPlanAsync(fixture.AdminA, HttpMethod.Post, $"/api/v1/plans?id={fixture.PlanB}&namespace=a", Plan(null)));
        var put = await ExpectAsync(HttpStatusCode.Conflict,
            await SendPlanAsync(fixture.AdminA, HttpMethod.Put, $"/api/v1/plans/{fixture.PlanB}", Plan("a")));

        Assert.DoesNotContain("'b'", post, StringComparison.Ordinal);
        Assert.DoesNotContain("'b'", put, StringComparison.Ordinal);
        var plan = JsonNode.Parse(await fixture.AdminB.GetStringAsync($"/api/v1/plans/{fixture.PlanB}"))!;
        Assert.Equal(1, plan["latestVersion"]!.GetValue<int>()); // untouched
    }

    [Fact]
    public async Task Update_ToAnotherNamespace_Is400NamingNamespace_WithoutOneKeepsItsOwn()
    {
        var id = NewId("p");
        await ExpectAsync(HttpStatusCode.Created, await SendPlanAsync(fixture.Harness.Http, HttpMethod.Put, $"/api/v1/plans/{id}", Plan("a")));

        var moved = await ExpectAsync(HttpStatusCode.BadRequest, await SendPlanAsync(fixture.Harness.Http, HttpMethod.Put, $"/api/v1/plans/{id}", Plan("b")));
        var movedByQuery = await ExpectAsync(HttpStatusCode.BadRequest, await SendPlanAsync(fixture.Harness.Http, HttpMethod.Put, $"/api/v1/plans/{id}?namespace=b", Plan(null)));
        await ExpectAsync(HttpStatusCode.OK, await SendPlanAsync(fixture.AdminA, HttpMethod.Put, $"/api/v1/plans/{id}", Plan(null)));
        var plan = JsonNode.Parse(await fixture.AdminA.GetStringAsync($"/api/v1/plans/{id}"))!;

        Assert.Equal("namespace", Problem(moved)["errors"]![0]!["path"]!.GetValue<string>());
        Assert.Equal("namespace", Problem(movedByQuery)["errors"]![0]!["path"]!.GetValue<string>());
        Assert.Equal("a", plan["namespace"]!.GetValue<string>());
        Assert.Equal(2, plan["version"]!.GetValue<int>());
        Assert.Equal("a", plan["definition"]!["namespace"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_WithDocumentAndQueryNamespacesThatDiffer_Is400NamingNamespace()
    {
        var body = await ExpectAsync(HttpStatusCode.BadRequest,
            await SendPlanAsync(fixture.Harness.Http, HttpMethod.Post, $"/api/v1/plans?id={NewId("p")}&namespace=b", Plan("a")));

        Assert.Equal("namespace", Problem(body)["errors"]![0]!["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task PlanNamespace_NotAName_Is400WithLineAndColumn()
    {
        var body = await ExpectAsync(HttpStatusCode.BadRequest,
            await SendPlanAsync(fixture.Harness.Http, HttpMethod.Post, $"/api/v1/plans?id={NewId("p")}", Plan("Team_A")));
        var error = Problem(body)["errors"]![0]!;

        Assert.Equal("namespace", error["path"]!.GetValue<string>());
        Assert.Equal(2, error["line"]!.GetValue<int>());
        Assert.Equal(12, error["column"]!.GetValue<int>());
    }

    [Fact]
    public async Task Token_GrantingRolesBeyondTheCallersAdminNamespaces_Is403_WithinIs201()
    {
        var other = await ExpectAsync(HttpStatusCode.Forbidden,
            await fixture.AdminA.PostAsJsonAsync("/api/v1/tokens", new { name = "sneaky", grants = Grants("b", "viewer") }));
        var every = await ExpectAsync(HttpStatusCode.Forbidden,
            await fixture.AdminA.PostAsJsonAsync("/api/v1/tokens", new { name = "sneaky2", grants = Grants("*", "viewer") }));
        var mixed = await ExpectAsync(HttpStatusCode.Forbidden,
            await fixture.AdminA.PostAsJsonAsync("/api/v1/tokens", new { name = "sneaky3", grants = new Dictionary<string, string[]> { ["a"] = ["viewer"], ["b"] = ["viewer"] } }));
        var own = JsonNode.Parse(await ExpectAsync(HttpStatusCode.Created,
            await fixture.AdminA.PostAsJsonAsync("/api/v1/tokens", new { name = "ci-a", grants = Grants("a", "operator") })))!;

        Assert.Contains("'b'", other, StringComparison.Ordinal);
        Assert.Contains("'*'", every, StringComparison.Ordinal);
        Assert.Contains("'b'", mixed, StringComparison.Ordinal);
        Assert.Equal("admin-a", own["owner"]!.GetValue<string>());
        var operatorToken = fixture.Harness.NewClient(own["token"]!.GetValue<string>());
        using (operatorToken)
        {
            await ExpectAsync(HttpStatusCode.Accepted, await operatorToken.PostAsJsonAsync($"/api/v1/plans/{fixture.PlanA}/run", new { }));
        }
    }

    [Fact]
    public async Task Tokens_OfAnotherNamespace_AreNotListedReadOrRevoked()
    {
        var list = JsonNode.Parse(await fixture.AdminA.GetStringAsync("/api/v1/tokens?limit=500"))!["items"]!.AsArray();
        var (_, idA) = await fixture.CreateTokenAsync(NewId("t"), Grants("a", "viewer"));
        var listAfter = JsonNode.Parse(await fixture.AdminA.GetStringAsync("/api/v1/tokens?limit=500"))!["items"]!.AsArray();

        await ExpectAsync(HttpStatusCode.NotFound, await fixture.AdminA.GetAsync($"/api/v1/tokens/{fixture.AdminBTokenId}"));
        await ExpectAsync(HttpStatusCode.NotFound, await fixture.AdminA.PostAsync($"/api/v1/tokens/{fixture.AdminBTokenId}/revoke", null));
        await ExpectAsync(HttpStatusCode.OK, await fixture.AdminA.GetAsync($"/api/v1/tokens/{idA}"));
        await ExpectAsync(HttpStatusCode.OK, await fixture.AdminB.GetAsync($"/api/v1/plans/{fixture.PlanB}")); // b's token still works

        Assert.DoesNotContain(list, t => t!["id"]!.GetValue<string>() == fixture.AdminBTokenId);
        Assert.All(listAfter, t => Assert.Equal(["a"], t!["grants"]!.AsObject().Select(g => g.Key)));
        Assert.Contains(listAfter, t => t!["id"]!.GetValue<string>() == idA);
    }

    [Fact]
    public async Task File_UploadedIntoA_IsReadableAndUsableInA_NotInB()
    {
        var content = System.Text.Encoding.UTF8.GetBytes("namespaced file " + Guid.NewGuid());
        using var upload = new ByteArrayContent(content);
        var uploaded = JsonNode.Parse(await ExpectAsync(HttpStatusCode.Created, await fixture.OperatorA.PostAsync("/api/v1/files?namespace=a", upload)))!;
        var sha = uploaded["sha256"]!.GetValue<string>();
        using var refused = new ByteArrayContent(content);
        await ExpectAsync(HttpStatusCode.Forbidden, await fixture.OperatorA.PostAsync("/api/v1/files?namespace=b", refused));

        await ExpectAsync(HttpStatusCode.OK, await fixture.ViewerA.GetAsync($"/api/v1/files/{sha}"));
        await ExpectAsync(HttpStatusCode.NotFound, await fixture.AdminB.GetAsync($"/api/v1/files/{sha}"));

        string Distribute(string ns, string host) => $"""
            name: files
            namespace: {ns}
            steps:
              - name: copy
                targets: {"{"}hosts: [{host}]{"}"}
                files:
                  sources: [{"{"}name: f.txt, sha256: {sha}{"}"}]
                  targetDirectory: {Path.Combine(Path.GetTempPath(), "orch-ns-files", Guid.NewGuid().ToString("N"))}
            """;
        var planA = NewId("fa");
        var planB = NewId("fb");
        await ExpectAsync(HttpStatusCode.Created, await SendPlanAsync(fixture.AdminA, HttpMethod.Put, $"/api/v1/plans/{planA}", Distribute("a", HostA)));
        await ExpectAsync(HttpStatusCode.Created, await SendPlanAsync(fixture.AdminB, HttpMethod.Put, $"/api/v1/plans/{planB}", Distribute("b", HostB)));
        var runA = await RunAsync(fixture.AdminA, planA);
        var runB = await RunAsync(fixture.AdminB, planB);
        var doneA = await fixture.Harness.WaitForInstanceAsync(runA, TimeSpan.FromSeconds(90), "succeeded", "failed");
        var doneB = await fixture.Harness.WaitForInstanceAsync(runB, TimeSpan.FromSeconds(90), "succeeded", "failed");

        Assert.Equal("a", uploaded["namespace"]!.GetValue<string>());
        Assert.Equal("succeeded", doneA["status"]!.GetValue<string>());
        Assert.Equal("failed", doneB["status"]!.GetValue<string>());
        Assert.Contains($"No file {sha} in namespace 'b'", doneB["steps"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovalNamingARole_IsCheckedOnTheInstancesNamespace()
    {
        var plan = NewId("gate");
        const string yaml = """
            name: gate-a
            namespace: a
            steps:
              - name: sign-off
                approval:
                  approvers: ["role:admin"]
            """;
        await ExpectAsync(HttpStatusCode.Created, await SendPlanAsync(fixture.AdminA, HttpMethod.Put, $"/api/v1/plans/{plan}", yaml));
        var id = await RunAsync(fixture.AdminA, plan);
        await fixture.Harness.WaitForStepAsync(id, 0, TimeSpan.FromSeconds(60), "waitingForApproval");
        // Approver on a, admin only on b: the step's role:admin must hold on a, the instance's namespace.
        var (token, _) = await fixture.CreateTokenAsync(NewId("appr"), new Dictionary<string, string[]> { ["a"] = ["approver"], ["b"] = ["admin"] });
        using var approverOfA = fixture.Harness.NewClient(token);

        var refused = await ExpectAsync(HttpStatusCode.Forbidden, await approverOfA.PostAsJsonAsync($"/api/v1/task-instances/{id}/steps/0/approve", new { }));
        await ExpectAsync(HttpStatusCode.OK, await fixture.AdminA.PostAsJsonAsync($"/api/v1/task-instances/{id}/steps/0/approve", new { }));
        var done = await fixture.Harness.WaitForInstanceAsync(id, TimeSpan.FromSeconds(60), "succeeded", "failed");

        Assert.Contains("not among the approvers", refused, StringComparison.Ordinal);
        Assert.Equal("succeeded", done["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task LegacyRows_WrittenWithoutANamespace_AreListedAsDefault_AndMoveOnTheirNextWrite()
    {
        var legacyPlan = NewId("legacy");
        var legacyInstance = NewId("legacyi");
        await using (var connection = new SqliteConnection(fixture.Harness.Store.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO orch_index (kind, part, key, status, data, updated_at) VALUES
                  ('plan', '', $plan, 0, '{"name":"old","version":1,"updatedAt":"2026-01-01T00:00:00+00:00"}', 0),
                  ('instance', '', $instance, 4, '{"planId":"old","planVersion":1,"planName":"old","status":"succeeded","createdAt":"2026-01-01T00:00:00+00:00","finishedAt":"2026-01-01T00:01:00+00:00"}', 0)
                """;
            insert.Parameters.AddWithValue("$plan", legacyPlan);
            insert.Parameters.AddWithValue("$instance", legacyInstance);
            await insert.ExecuteNonQueryAsync();
            // The upgrade to the version that lists runs by time (storage migration 5) gives the legacy run its time row.
            await using var upgrade = connection.CreateCommand();
            upgrade.CommandText = Orchestrator.Runtime.Persistence.OrchestratorDatabase.StorageMigrations(Orchestrator.Runtime.Persistence.OrchestratorDatabaseOptions.Sqlite).Migrations.Single(m => m.Version == 5).Sql;
            await upgrade.ExecuteNonQueryAsync();
        }
        var defaultViewer = fixture.Harness.NewClient(await fixture.Harness.TokenForAsync("viewer-default", Grants("default", "viewer")));
        using (defaultViewer)
        {
            var plans = JsonNode.Parse(await defaultViewer.GetStringAsync("/api/v1/plans?limit=500"))!["items"]!.AsArray();
            var instances = JsonNode.Parse(await defaultViewer.GetStringAsync("/api/v1/task-instances?namespace=default&limit=500"))!["items"]!.AsArray();
            var plansOfA = JsonNode.Parse(await fixture.AdminA.GetStringAsync("/api/v1/plans?limit=500"))!["items"]!.AsArray();

            var plan = Assert.Single(plans, p => p!["id"]!.GetValue<string>() == legacyPlan)!;
            Assert.Equal("default", plan["namespace"]!.GetValue<string>());
            Assert.Equal("default", Assert.Single(instances, i => i!["id"]!.GetValue<string>() == legacyInstance)!["namespace"]!.GetValue<string>());
            Assert.DoesNotContain(plansOfA, p => p!["id"]!.GetValue<string>() == legacyPlan);

            // Saved again (here as a new version over the legacy row), the plan's row moves to default's partition: listed once.
            await ExpectAsync(HttpStatusCode.Created, await SendPlanAsync(fixture.Harness.Http, HttpMethod.Put, $"/api/v1/plans/{legacyPlan}", Plan(null)));
            var after = JsonNode.Parse(await defaultViewer.GetStringAsync("/api/v1/plans?limit=500"))!["items"]!.AsArray();
            Assert.Equal("rules", Assert.Single(after, p => p!["id"]!.GetValue<string>() == legacyPlan)!["plan"]!["name"]!.GetValue<string>());
        }
    }
}
