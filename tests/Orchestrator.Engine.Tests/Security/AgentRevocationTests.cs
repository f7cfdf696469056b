using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>
/// Agents register with the registration token and call with their own credential; an admin revokes a host, and its
/// agent is refused at its next call and may not register the host again until it is restored.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class AgentRevocationTests(SecurityFixture fixture)
{
    private static string NewSession() => Guid.NewGuid().ToString("N");

    private async Task<(HttpStatusCode Status, JsonNode? Body)> AgentCallAsync(string endpoint, string bearer, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/agent/{endpoint}") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var http = fixture.As(null);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private Task<(HttpStatusCode Status, JsonNode? Body)> RegisterAsync(string session, string host) =>
        AgentCallAsync("register", fixture.Harness.Token, new { sessionId = session, agentVersion = "test", hosts = new[] { new { host, labels = new { }, capacity = 1 } } });

    private Task<(HttpStatusCode Status, JsonNode? Body)> PollAsync(string credential, string session, string host) =>
        AgentCallAsync("poll", credential, new { sessionId = session, hosts = new[] { host }, running = Array.Empty<string>(), waitMs = 0, maxAssignments = 1 });

    [Fact]
    public async Task Register_AnswersACredential_WhichLaterCallsNeedInsteadOfTheRegistrationToken()
    {
        var session = NewSession();

        var (status, body) = await RegisterAsync(session, "cred-1");
        var credential = body!["credential"]!.GetValue<string>();
        var (withCredential, _) = await PollAsync(credential, session, "cred-1");
        var (withRegistrationToken, refused) = await PollAsync(fixture.Harness.Token, session, "cred-1");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("orcha.", credential, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, withCredential);
        Assert.Equal(HttpStatusCode.Unauthorized, withRegistrationToken);
        Assert.Contains("register", refused!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedHost_ItsAgentIs401AtTheNextCall_RegisteringIsRefusedUntilRestored()
    {
        var session = NewSession();
        var (_, registered) = await RegisterAsync(session, "revoke-me");
        var credential = registered!["credential"]!.GetValue<string>();
        var (before, _) = await PollAsync(credential, session, "revoke-me");

        using var revoke = await fixture.Harness.Http.PostAsync("/api/v1/hosts/revoke-me/revoke", null);
        var view = JsonNode.Parse(await revoke.Content.ReadAsStringAsync())!;
        var (after, afterBody) = await PollAsync(credential, session, "revoke-me");
        var (heartbeat, _) = await AgentCallAsync("heartbeat", credential, new { sessionId = session, hosts = new[] { "revoke-me" }, draining = false });
        var (again, againBody) = await RegisterAsync(NewSession(), "revoke-me");

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("admin", view["revokedBy"]!.GetValue<string>());
        Assert.Equal("offline", view["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, after);
        Assert.Contains("revoked", afterBody!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, heartbeat);
        Assert.Equal(HttpStatusCode.Forbidden, again);
        Assert.Contains("restore", againBody!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        using var restore = await fixture.Harness.Http.PostAsync("/api/v1/hosts/revoke-me/restore", null);
        var newSession = NewSession();
        var (restored, restoredBody) = await RegisterAsync(newSession, "revoke-me");
        var (fresh, _) = await PollAsync(restoredBody!["credential"]!.GetValue<string>(), newSession, "revoke-me");
        var (old, _) = await PollAsync(credential, session, "revoke-me");

        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.Equal(HttpStatusCode.OK, restored);
        Assert.Equal(HttpStatusCode.OK, fresh);
        Assert.Equal(HttpStatusCode.Unauthorized, old); // the revoked session's credential stays refused
    }

    [Fact]
    public async Task Revoke_NeedsAdmin()
    {
        var created = await fixture.CreateTokenAsync("op-revoker", new Dictionary<string, string[]> { ["default"] = ["operator"] });
        using var op = fixture.As(created["token"]!.GetValue<string>());

        using var response = await op.PostAsync("/api/v1/hosts/anything/revoke", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task RealAgent_Revoked_IsRefusedAndGoesOffline_RestoredRegistersAgain()
    {
        var agent = fixture.Harness.StartAgent("real-revoked");
        await fixture.Harness.WaitForHostsAsync("real-revoked");

        using (var revoke = await fixture.Harness.Http.PostAsync("/api/v1/hosts/real-revoked/revoke", null))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }
        // The agent's next call (a poll, at most the harness's 2 s poll wait away) is refused, and so is its registration.
        await Eventually.Until(() => Task.FromResult(agent.Log), log => log.Contains("403", StringComparison.Ordinal), TimeSpan.FromSeconds(60),
            "the revoked agent refused at its next call and its registration refused");
        using (var restore = await fixture.Harness.Http.PostAsync("/api/v1/hosts/real-revoked/restore", null))
        {
            Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        }

        await fixture.Harness.WaitForHostsAsync("real-revoked");
        Assert.Contains("401", agent.Log, StringComparison.Ordinal);
    }
}
