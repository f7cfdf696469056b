using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>
/// <c>?dryRun=true</c> on a plan save: every check a save makes (the document, its namespace, the caller's rights), an
/// answer saying what would be saved, and nothing saved or audited.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class PlanDryRunTests(SecurityFixture fixture)
{
    private const string Valid = """
        name: dry
        steps:
          - name: one
            targets:
              hosts: [local]
            script: echo one
          - name: two
            approval:
              required: 1
        """;

    private async Task<(HttpStatusCode Status, string Body)> PutAsync(string id, string yaml, string? token = null, string query = "?dryRun=true")
    {
        using var http = fixture.As(token ?? fixture.Harness.AdminToken);
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await http.PutAsync($"/api/v1/plans/{id}{query}", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DryRun_ValidNewPlan_AnswersWhatWouldBeSavedAndSavesAndAuditsNothing()
    {
        var id = "dry-" + Guid.NewGuid().ToString("N")[..8];

        var (status, body) = await PutAsync(id, Valid);
        using var get = await fixture.Harness.Http.GetAsync($"/api/v1/plans/{id}");
        var audit = await fixture.Harness.Http.GetStringAsync($"/api/v1/audit?object=plan:{id}");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}");
        var reply = JsonNode.Parse(body)!;
        Assert.Equal(id, reply["id"]!.GetValue<string>());
        Assert.Equal("default", reply["namespace"]!.GetValue<string>());
        Assert.Equal(2, reply["steps"]!.GetValue<int>());
        Assert.True(reply["dryRun"]!.GetValue<bool>());
        Assert.Null(reply["storedVersion"]);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Empty(JsonNode.Parse(audit)!["items"]!.AsArray());
    }

    [Fact]
    public async Task DryRun_OfAStoredPlan_NamesItsVersionAndLeavesIt()
    {
        var id = await fixture.Harness.PutPlanAsync(Valid);

        var (status, body) = await PutAsync(id, Valid.Replace("echo one", "echo changed", StringComparison.Ordinal));
        var stored = JsonNode.Parse(await fixture.Harness.Http.GetStringAsync($"/api/v1/plans/{id}"))!;

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}");
        Assert.Equal(1, JsonNode.Parse(body)!["storedVersion"]!.GetValue<int>());
        Assert.Equal(1, stored["latestVersion"]!.GetValue<int>());
    }

    [Fact]
    public async Task DryRun_InvalidPlan_Is400WithLineAndColumn()
    {
        var (status, body) = await PutAsync("dry-bad", "name: x\nsteps:\n  - name: a\n    targets:\n      hosts: [local]\n    script: echo\n    execution:\n      parallelism: -1\n");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("parallelism", body, StringComparison.Ordinal);
        Assert.Contains("\"line\":8", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_ByAViewer_Is403AsTheSaveWouldBe()
    {
        var viewer = await fixture.Harness.TokenForAsync("dry-viewer", new Dictionary<string, string[]> { ["default"] = ["viewer"] });

        var (status, body) = await PutAsync("dry-viewer-plan", Valid, viewer);

        Assert.True(status == HttpStatusCode.Forbidden, $"{(int)status} {body}");
    }

    [Fact]
    public async Task DryRun_NotTrueOrFalse_Is400NamingIt()
    {
        var (status, body) = await PutAsync("dry-q", Valid, query: "?dryRun=yes");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("dryRun", body, StringComparison.Ordinal);
    }
}
