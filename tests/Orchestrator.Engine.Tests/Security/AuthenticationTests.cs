using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Api.Identity;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>Who is refused 401, and how: no token, a malformed one, a wrong secret, an expired or revoked token.</summary>
[Collection(SecurityCollection.Name)]
public sealed class AuthenticationTests(SecurityFixture fixture)
{
    private static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response);
    }

    [Theory]
    [InlineData("/api/v1/plans")]
    [InlineData("/api/v1/task-instances")]
    [InlineData("/api/v1/hosts")]
    [InlineData("/api/v1/tokens")]
    [InlineData("/api/v1/schedules")]
    [InlineData("/api/v1/dead-letters")]
    public async Task Get_NoToken_Is401WithChallengeAndProblem(string path)
    {
        using var http = fixture.As(null);

        var (status, body, response) = await GetAsync(http, path);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, body!["status"]!.GetValue<int>());
        Assert.Contains("Authorization: Bearer", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        response.Dispose();
    }

    [Fact]
    public async Task Write_NoToken_Is401BeforeTheBodyIsRead()
    {
        using var http = fixture.As(null);

        using var response = await http.PostAsync($"/api/v1/plans/{fixture.GatePlan}/run", new StringContent("not json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AgentGateway_WithoutAnApiToken_AnswersWithItsOwnScheme()
    {
        using var http = fixture.As(null);

        using var register = await http.PostAsync("/api/v1/agent/register", JsonContent.Create(new { }));

        Assert.Equal(HttpStatusCode.Unauthorized, register.StatusCode);
        Assert.Contains("registration token", await register.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orch_short")]
    [InlineData("orch_abcdefghijkl_notbase64!!notbase64!!notbase64!!notbase64!!xxx")]
    [InlineData("not-a-token-at-all")]
    public async Task Get_MalformedToken_Is401(string token)
    {
        using var http = fixture.As(token);

        var (status, body, response) = await GetAsync(http, "/api/v1/plans");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, body!.ToJsonString(), StringComparison.Ordinal);
        response.Dispose();
    }

    [Fact]
    public async Task Get_WrongSecret_Is401()
    {
        var created = await fixture.CreateTokenAsync("wrong-secret", new Dictionary<string, string[]> { ["default"] = ["viewer"] });
        var id = created["id"]!.GetValue<string>();
        var (_, otherText, _) = TokenText.New();
        TokenText.TryParse(otherText, out _, out var otherSecret);
        using var right = fixture.As(created["token"]!.GetValue<string>());
        using var wrong = fixture.As(TokenText.Format(id, otherSecret));

        var (okStatus, _, ok) = await GetAsync(right, "/api/v1/plans");
        var (status, body, refused) = await GetAsync(wrong, "/api/v1/plans");

        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("Unknown API token", body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        ok.Dispose();
        refused.Dispose();
    }

    [Fact]
    public async Task Get_UnknownTokenId_Is401()
    {
        var (_, text, _) = TokenText.New();
        using var http = fixture.As(text);

        var (status, _, response) = await GetAsync(http, "/api/v1/plans");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        response.Dispose();
    }

    [Fact]
    public async Task Get_ExpiredToken_Is401OnceTheClockPassesItsExpiry()
    {
        var expiresAt = fixture.Clock.GetUtcNow().AddHours(1);
        var created = await fixture.CreateTokenAsync("expiring", new Dictionary<string, string[]> { ["default"] = ["viewer"] }, expiresAt);
        using var http = fixture.As(created["token"]!.GetValue<string>());
        var (before, _, first) = await GetAsync(http, "/api/v1/plans");

        fixture.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var (after, body, second) = await GetAsync(http, "/api/v1/plans");

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.Unauthorized, after);
        Assert.Contains("expired", body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public async Task Get_RevokedToken_Is401AndTheListShowsItRevoked()
    {
        var created = await fixture.CreateTokenAsync("to-revoke", new Dictionary<string, string[]> { ["*"] = ["operator"] });
        var id = created["id"]!.GetValue<string>();
        using var http = fixture.As(created["token"]!.GetValue<string>());
        var (before, _, first) = await GetAsync(http, "/api/v1/plans");

        using var revoke = await fixture.Harness.Http.PostAsync($"/api/v1/tokens/{id}/revoke", null);
        var (after, body, second) = await GetAsync(http, "/api/v1/plans");
        var revoked = JsonNode.Parse(await fixture.Harness.Http.GetStringAsync("/api/v1/tokens?state=revoked&limit=1000"))!["items"]!.AsArray();

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after);
        Assert.Contains("revoked", body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var row = Assert.Single(revoked, t => t!["id"]!.GetValue<string>() == id)!;
        Assert.Equal("admin", row["revokedBy"]!.GetValue<string>());
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public async Task ListAndGet_NeverHoldTheSecretOrItsHash()
    {
        var created = await fixture.CreateTokenAsync("listed", new Dictionary<string, string[]> { ["default"] = ["viewer", "approver"] });
        var token = created["token"]!.GetValue<string>();
        var id = created["id"]!.GetValue<string>();
        TokenText.TryParse(token, out _, out var secret);
        var hash = Convert.ToBase64String(TokenText.Hash(secret));

        var list = await fixture.Harness.Http.GetStringAsync("/api/v1/tokens?limit=1000");
        var one = await fixture.Harness.Http.GetStringAsync($"/api/v1/tokens/{id}");

        foreach (var text in new[] { list, one })
        {
            Assert.Contains(id, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(hash, text, StringComparison.Ordinal);
            Assert.DoesNotContain("secretHash", text, StringComparison.OrdinalIgnoreCase);
        }
        var item = JsonNode.Parse(one)!;
        Assert.Equal("listed", item["name"]!.GetValue<string>());
        Assert.Equal("admin", item["owner"]!.GetValue<string>());
        Assert.Equal(["viewer", "approver"], item["grants"]!["default"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"grants":{"default":["viewer"]}}""", "name")]
    [InlineData("""{"name":"x"}""", "grants")]
    [InlineData("""{"name":"x","grants":{"default":["superuser"]}}""", "grants.default[0]")]
    [InlineData("""{"name":"x","grants":{"Bad_NS":["viewer"]}}""", "grants.Bad_NS")]
    [InlineData("""{"name":"x","grants":{"default":["viewer"]},"secret":"mine"}""", "secret")]
    public async Task Create_BadBody_Is400NamingTheField(string body, string field)
    {
        using var response = await fixture.Harness.Http.PostAsync("/api/v1/tokens", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Contains(JsonNode.Parse(text)!["errors"]!.AsArray(), e => e!["path"]!.GetValue<string>() == field);
    }
}
