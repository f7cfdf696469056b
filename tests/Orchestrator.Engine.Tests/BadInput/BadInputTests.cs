using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Engine.Tests.BadInput;

/// <summary>
/// Every case of <see cref="BadInputCases"/> against the real API on one store: the status, an error body (problem
/// details with the trace id, or Harbor's), and the field named. Then the silo, having taken all of them, still runs
/// a plan. Secrets are masked wherever a plan is shown.
/// </summary>
public abstract partial class BadInputTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : BadInputFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private EngineHarness H => fixture.Harness;

    public static TheoryData<string> Cases => BadInputCases.Names();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Request_BadInput_IsRefusedNamingTheField(string name)
    {
        var c = BadInputCases.Named(name);
        using var response = await fixture.SendAsync(c);
        var text = await response.Content.ReadAsStringAsync();
        var shown = text.Length > 600 ? text[..600] + "…" : text;

        Assert.True((int)response.StatusCode == c.Status, $"{c.Name}: expected {c.Status}, got {(int)response.StatusCode}: {shown}");
        Assert.False(string.IsNullOrWhiteSpace(text), $"{c.Name}: an empty body");
        // However large or wrong the input, the answer stays a few KB: errors are capped and echoes cut.
        Assert.True(text.Length < 16 * 1024, $"{c.Name}: a {text.Length}-character answer: {shown}");
        var body = JsonNode.Parse(text)!;
        if (c.Harbor)
        {
            Assert.Equal(c.Status, body["code"]!.GetValue<int>());
            if (c.Field is { } harborField)
            {
                Assert.Contains(harborField, body["err"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.StartsWith(harborField + ":", body["description"]!.GetValue<string>(), StringComparison.Ordinal);
            }
            return;
        }
        Assert.Equal(c.Status, body["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(body["title"]?.GetValue<string>()), $"{c.Name}: no title: {shown}");
        Assert.False(string.IsNullOrEmpty(body["traceId"]?.GetValue<string>()), $"{c.Name}: no traceId: {shown}");
        if (c.Field is { } field)
        {
            var paths = body["errors"]?.AsArray().Select(e => e!["path"]!.GetValue<string>()).ToList() ?? [];
            Assert.True(paths.Contains(field), $"{c.Name}: expected errors[].path '{field}', got [{string.Join(", ", paths)}]: {shown}");
            Assert.All(body["errors"]!.AsArray(), e => Assert.False(string.IsNullOrWhiteSpace(e!["message"]!.GetValue<string>())));
        }
    }

    [Fact]
    public void Table_CoversEveryAreaWithAtLeast150Cases()
    {
        Assert.True(BadInputCases.All.Count >= 150, $"{BadInputCases.All.Count} cases");
        Assert.Equal(BadInputCases.All.Count, BadInputCases.All.Select(c => c.Name).Distinct().Count());
        string[] areas =
        [
            "/api/v1/plans", "/run", "/api/v1/task-instances", "/log", "/api/v1/hosts", "/api/v1/hooks", "/api/v1/files", "/api/v1/jobs",
            "/api/v1/agent/register", "/api/v1/agent/heartbeat", "/api/v1/agent/poll", "/api/v1/agent/events", "/api/v1/agent/files",
            "/schedules/", "/api/v1/schedules",
        ];
        foreach (var area in areas)
        {
            Assert.True(BadInputCases.All.Any(c => c.Path.Contains(area, StringComparison.Ordinal)), $"no case for {area}");
        }
    }

    [Fact]
    public async Task Silo_AfterEveryBadInput_StillRunsAPlanToSuccess()
    {
        foreach (var c in BadInputCases.All)
        {
            using var response = await fixture.SendAsync(c);
            Assert.True((int)response.StatusCode < 500, $"{c.Name}: {(int)response.StatusCode}");
        }

        // A body with a byte order mark and a charset is accepted like any other.
        using var content = new ByteArrayContent([.. Encoding.UTF8.GetPreamble(), .. """{"parameters":{"greeting":"hi"}}"""u8]);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        using var run = await H.Http.PostAsync($"/api/v1/plans/{fixture.Plan}/run", content);
        var accepted = await run.Content.ReadAsStringAsync();
        Assert.True(run.StatusCode == HttpStatusCode.Accepted, $"run: {(int)run.StatusCode} {accepted}");
        var id = JsonNode.Parse(accepted)!["id"]!.GetValue<string>();
        await H.WaitForInstanceAsync(id, Wait, "waitingForApproval");
        using (var approve = await H.ControlAsync($"/api/v1/task-instances/{id}/steps/0/approve", new { reason = "still works" }))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }
        var done = await H.WaitForInstanceAsync(id, Wait, "succeeded", "failed");
        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Equal("hi", done["parameters"]!["greeting"]!.GetValue<string>());
        Assert.Equal("***", done["parameters"]!["token"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetPlan_SecretDefault_IsMaskedInJsonAndYamlOfEveryVersion()
    {
        var id = await H.PutPlanAsync(BadInputFixture.GatePlanYaml);
        await H.PutPlanAsync(BadInputFixture.GatePlanYaml.Replace("an approval", "version two", StringComparison.Ordinal), id);

        foreach (var query in new[] { "", "?version=1", "?version=2" })
        {
            var json = await H.Http.GetStringAsync($"/api/v1/plans/{id}{query}");
            Assert.DoesNotContain(BadInputFixture.SecretDefault, json, StringComparison.Ordinal);
            var token = JsonNode.Parse(json)!["definition"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "token")!;
            Assert.Equal("***", token["default"]!.GetValue<string>());
            Assert.Equal("secret", token["type"]!.GetValue<string>());

            var yaml = await H.Http.GetStringAsync($"/api/v1/plans/{id}{query}{(query.Length == 0 ? "?" : "&")}format=yaml");
            Assert.DoesNotContain(BadInputFixture.SecretDefault, yaml, StringComparison.Ordinal);
            Assert.Contains("***", yaml, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PutPlan_AsGetShowedIt_KeepsTheSecretDefault()
    {
        var id = await H.PutPlanAsync(BadInputFixture.GatePlanYaml);
        var shown = await H.Http.GetStringAsync($"/api/v1/plans/{id}?format=yaml");

        using (var content = new StringContent(shown.Replace("an approval", "edited", StringComparison.Ordinal), Encoding.UTF8, "application/yaml"))
        using (var put = await H.Http.PutAsync($"/api/v1/plans/{id}", content))
        {
            Assert.True(put.StatusCode == HttpStatusCode.OK, $"PUT back: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }

        var stored = await H.Client.GetGrain<IPlanGrain>(id).GetAsync(null);
        Assert.Equal(2, stored!.Version);
        Assert.Equal(BadInputFixture.SecretDefault, stored.Definition.Parameters.Single(p => p.Name == "token").Default);
        Assert.Equal("edited and nothing else", stored.Definition.Description);
    }

    [Fact]
    public async Task UploadFile_LargerThanAJsonBodyWithinTheUploadLimit_IsStored()
    {
        var bytes = new byte[2 * 1024 * 1024];
        new Random(9).NextBytes(bytes);
        using var content = new ByteArrayContent(bytes);

        using var response = await H.Http.PostAsync("/api/v1/files", content);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"upload: {(int)response.StatusCode} {body}");
        Assert.Equal(bytes.Length, JsonNode.Parse(body)!["size"]!.GetValue<long>());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), JsonNode.Parse(body)!["sha256"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListPlans_PagedWithCursors_VisitsEveryPlanOnce()
    {
        var prefix = "page" + Guid.NewGuid().ToString("N")[..6];
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await H.PutPlanAsync(BadInputFixture.GatePlanYaml, $"{prefix}-{i}"));
        }

        var seen = new List<string>();
        string? after = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = JsonNode.Parse(await H.Http.GetStringAsync("/api/v1/plans?limit=2" + (after is null ? "" : "&after=" + after)))!;
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            after = page["next"]?.GetValue<string>();
            if (after is null)
            {
                break;
            }
            Assert.DoesNotContain(prefix, after, StringComparison.Ordinal);
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(ids, seen.Where(s => s.StartsWith(prefix, StringComparison.Ordinal)));
    }
}

/// <summary>The case table on SQLite.</summary>
public sealed class SqliteBadInputTests(SqliteBadInputFixture fixture) : BadInputTests<SqliteBadInputFixture>(fixture);

/// <summary>The case table on PostgreSQL (where a NUL reaching a query used to be a 500).</summary>
public sealed class PostgresBadInputTests(PostgresBadInputFixture fixture) : BadInputTests<PostgresBadInputFixture>(fixture);
