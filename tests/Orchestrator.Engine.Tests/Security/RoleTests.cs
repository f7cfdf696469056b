using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>Who is refused 403: a viewer runs, an operator approves or edits plans, an approver the step does not name.</summary>
[Collection(SecurityCollection.Name)]
public sealed class RoleTests(SecurityFixture fixture)
{
    private async Task<HttpClient> AsAsync(string name, params string[] roles)
    {
        var created = await fixture.CreateTokenAsync(name, new Dictionary<string, string[]> { ["default"] = roles });
        return fixture.As(created["token"]!.GetValue<string>());
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient http, string path, object? body = null)
    {
        using var response = await http.PostAsJsonAsync(path, body ?? new { });
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static void AssertForbiddenNaming(HttpStatusCode status, string body, string role)
    {
        Assert.True(status == HttpStatusCode.Forbidden, $"{(int)status} {body}");
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(403, problem["status"]!.GetValue<int>());
        Assert.Contains($"'{role}' role", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_ReadsButCannotRun()
    {
        using var viewer = await AsAsync("vera", "viewer");

        using var read = await viewer.GetAsync($"/api/v1/plans/{fixture.GatePlan}");
        var (status, body) = await PostAsync(viewer, $"/api/v1/plans/{fixture.GatePlan}/run");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        AssertForbiddenNaming(status, body, "operator");
    }

    [Fact]
    public async Task Operator_RunsButCannotApproveOrEditPlansOrManageTokens()
    {
        using var op = await AsAsync("oscar", "operator");
        var id = await fixture.GateRunAsync();

        var (run, runBody) = await PostAsync(op, $"/api/v1/plans/{fixture.GatePlan}/run");
        var (approve, approveBody) = await PostAsync(op, $"/api/v1/task-instances/{id}/steps/0/approve");
        using var put = await op.PutAsync($"/api/v1/plans/{fixture.GatePlan}", new StringContent(SecurityFixture.GatePlanYaml, Encoding.UTF8, "application/yaml"));
        using var tokens = await op.GetAsync("/api/v1/tokens");

        Assert.True(run == HttpStatusCode.Accepted, $"{(int)run} {runBody}");
        AssertForbiddenNaming(approve, approveBody, "approver");
        AssertForbiddenNaming(put.StatusCode, await put.Content.ReadAsStringAsync(), "admin");
        AssertForbiddenNaming(tokens.StatusCode, await tokens.Content.ReadAsStringAsync(), "admin");
    }

    [Fact]
    public async Task Operator_CancelsAndTheActionRecordsTheTokensPrincipal()
    {
        using var op = await AsAsync("olga", "operator");
        var id = await fixture.GateRunAsync();

        var (status, body) = await PostAsync(op, $"/api/v1/task-instances/{id}/cancel", new { reason = "not today" });
        var instance = await fixture.Harness.WaitForInstanceAsync(id, TimeSpan.FromSeconds(60), "cancelled");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}");
        var action = instance["actions"]!.AsArray().Single(a => a!["action"]!.GetValue<string>() == "cancel")!;
        Assert.Equal("olga", action["by"]!.GetValue<string>());
    }

    [Fact]
    public async Task Approver_NotNamedByTheStep_Is403_NamedPrincipalApproves()
    {
        using var dave = await AsAsync("dave", "approver");
        using var carol = await AsAsync("carol", "approver");
        var id = await fixture.GateRunAsync();

        var (refused, refusedBody) = await PostAsync(dave, $"/api/v1/task-instances/{id}/steps/0/approve", new { reason = "me too" });
        var (approved, approvedBody) = await PostAsync(carol, $"/api/v1/task-instances/{id}/steps/0/approve", new { reason = "ok" });
        var instance = await fixture.Harness.WaitForStepAsync(id, 1, TimeSpan.FromSeconds(60), "waitingForApproval");

        Assert.True(refused == HttpStatusCode.Forbidden, $"{(int)refused} {refusedBody}");
        Assert.Contains("'dave' is not among the approvers", refusedBody, StringComparison.Ordinal);
        Assert.True(approved == HttpStatusCode.OK, $"{(int)approved} {approvedBody}");
        var action = instance["actions"]!.AsArray().Single(a => a!["action"]!.GetValue<string>() == "approve")!;
        Assert.Equal("carol", action["by"]!.GetValue<string>());
    }

    [Fact]
    public async Task Admin_ApprovesAStepNamingTheAdminRole_AndAnyApproverAStepNamingNoOne()
    {
        using var admin = await AsAsync("ada", "admin");
        using var dave = await AsAsync("dave2", "approver");
        var id = await fixture.GateRunAsync();

        var (first, firstBody) = await PostAsync(admin, $"/api/v1/task-instances/{id}/steps/0/approve");
        await fixture.Harness.WaitForStepAsync(id, 1, TimeSpan.FromSeconds(60), "waitingForApproval");
        var (second, secondBody) = await PostAsync(dave, $"/api/v1/task-instances/{id}/steps/1/approve");
        var done = await fixture.Harness.WaitForInstanceAsync(id, TimeSpan.FromSeconds(60), "succeeded", "failed");

        Assert.True(first == HttpStatusCode.OK, $"{(int)first} {firstBody}");
        Assert.True(second == HttpStatusCode.OK, $"{(int)second} {secondBody}");
        Assert.Equal("succeeded", done["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Grant_OnAnotherNamespaceOnly_DefaultsObjectsAreAbsent()
    {
        var created = await fixture.CreateTokenAsync("elsewhere", new Dictionary<string, string[]> { ["team-b"] = ["admin"] });
        using var http = fixture.As(created["token"]!.GetValue<string>());

        using var list = await http.GetAsync("/api/v1/plans");
        using var read = await http.GetAsync($"/api/v1/plans/{fixture.GatePlan}");
        var (run, _) = await PostAsync(http, $"/api/v1/plans/{fixture.GatePlan}/run");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.DoesNotContain(fixture.GatePlan, await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, run);
    }

    [Fact]
    public async Task NoRoleForTheEndpointOnAnyNamespace_Is403Early()
    {
        var created = await fixture.CreateTokenAsync("viewer-elsewhere", new Dictionary<string, string[]> { ["team-b"] = ["viewer"] });
        using var http = fixture.As(created["token"]!.GetValue<string>());

        var (status, body) = await PostAsync(http, $"/api/v1/plans/{fixture.GatePlan}/run");

        AssertForbiddenNaming(status, body, "operator");
    }
}
