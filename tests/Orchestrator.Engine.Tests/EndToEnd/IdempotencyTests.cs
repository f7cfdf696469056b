using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.EndToEnd;

/// <summary>
/// <c>Idempotency-Key</c>: a command retried with the same key gets the first outcome (the same task instance, the same
/// plan version), scoped by caller, method and path; a bad key is refused naming the header.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class IdempotencyTests(FleetFixture fleet)
{
    private EngineHarness H => fleet.Harness;

    private const string Plan = """
        name: idem
        steps:
          - name: s
            script: "true"
            targets:
              hosts: [web-1]
        """;

    [Fact]
    public async Task Run_SameKeyTwice_StartsOneInstanceAndAnswersItsIdBothTimes()
    {
        var plan = await H.PutPlanAsync(Plan);
        var key = Guid.NewGuid().ToString();

        var first = await RunAsync(plan, key, "alice");
        var again = await RunAsync(plan, key, "alice");
        var otherCaller = await RunAsync(plan, key, "bob");
        var noKey = await RunAsync(plan, null, "alice");

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherCaller);
        Assert.NotEqual(first, noKey);
        var done = await H.WaitForInstanceAsync(first, TimeSpan.FromSeconds(60), "succeeded");
        Assert.Single(done["actions"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "start");
    }

    [Fact]
    public async Task SavePlan_SameKeyTwice_AnswersTheFirstVersionBothTimes()
    {
        var id = "idem" + Guid.NewGuid().ToString("N")[..8];
        var key = Guid.NewGuid().ToString("N");

        var first = await PutAsync(id, key);
        var again = await PutAsync(id, key);
        var other = await PutAsync(id, Guid.NewGuid().ToString("N"));

        Assert.Equal((HttpStatusCode.Created, 1), first);
        Assert.Equal((HttpStatusCode.Created, 1), again);
        Assert.Equal((HttpStatusCode.OK, 2), other);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    [InlineData("semi;colon")]
    public async Task Command_BadKey_IsRefusedNamingTheHeader(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/plans/nope/run") { Content = JsonContent.Create(new { }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        using var response = await H.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Idempotency-Key", body["errors"]![0]!["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task Command_KeyLongerThan255_IsRefused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/plans/nope/run") { Content = JsonContent.Create(new { }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 256));

        using var response = await H.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Longer than 255", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(string plan, string? key, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/plans/{plan}/run") { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await H.TokenForAsync(user));
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        using var response = await H.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"run: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    private async Task<(HttpStatusCode, int)> PutAsync(string id, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/plans/{id}") { Content = new StringContent(Plan, System.Text.Encoding.UTF8, "application/yaml") };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await H.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT: {(int)response.StatusCode} {body}");
        return (response.StatusCode, JsonNode.Parse(body)!["version"]!.GetValue<int>());
    }
}
