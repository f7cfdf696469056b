using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>JWT bearer tokens: accepted with the configured issuer, audience and key, their claims mapped to the caller.</summary>
[Collection(SecurityCollection.Name)]
public sealed class JwtTests(SecurityFixture fixture)
{
    [Fact]
    public async Task Jwt_ConfiguredIssuerAndAudience_IsTheCallerWithItsRoles()
    {
        using var viewer = fixture.As(fixture.Jwt("jill", ["viewer"]));
        using var op = fixture.As(fixture.Jwt("jack", ["default:operator"]));

        using var read = await viewer.GetAsync("/api/v1/plans");
        using var refused = await viewer.PostAsJsonAsync($"/api/v1/plans/{fixture.GatePlan}/run", new { });
        using var run = await op.PostAsJsonAsync($"/api/v1/plans/{fixture.GatePlan}/run", new { });
        var id = JsonNode.Parse(await run.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var instance = await fixture.Harness.WaitForInstanceAsync(id, TimeSpan.FromSeconds(60), "running", "waitingForApproval");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        Assert.Equal("jack", instance["by"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("https://other-idp.example", SecurityFixture.Audience, "issuer")]
    [InlineData(SecurityFixture.Issuer, "someone-else", "audience")]
    public async Task Jwt_WrongIssuerOrAudience_Is401(string issuer, string audience, string named)
    {
        using var http = fixture.As(fixture.Jwt("mallory", ["admin"], issuer, audience));

        using var response = await http.GetAsync("/api/v1/plans");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode} {body}");
        Assert.Contains(named, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jwt_ExpiredOnTheApisClock_Is401NamingTheExpiry()
    {
        using var http = fixture.As(fixture.Jwt("otto", ["admin"])); // valid for ten minutes from now on the API's clock
        using (var fresh = await http.GetAsync("/api/v1/plans"))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        fixture.Clock.Advance(TimeSpan.FromMinutes(12)); // past the expiry and the minute of skew, on the injected clock only

        using var response = await http.GetAsync("/api/v1/plans");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode} {body}");
        Assert.Contains("expired", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jwt_SignedWithAnotherKey_Is401()
    {
        using var http = fixture.As(fixture.Jwt("mallory", ["admin"], key: [.. Enumerable.Repeat((byte)9, 32)]));

        using var response = await http.GetAsync("/api/v1/plans");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Jwt_BareRoleOnListedNamespacesOnly_DefaultsPlanIsAbsent()
    {
        using var http = fixture.As(fixture.Jwt("nina", ["admin"], namespaces: ["team-b"]));

        using var response = await http.GetAsync($"/api/v1/plans/{fixture.GatePlan}");
        using var list = await http.GetAsync("/api/v1/plans");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // a namespace it holds no role on: as if absent
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.DoesNotContain(fixture.GatePlan, await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
