using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Api.Agents;
using Orchestrator.Engine.Tests.EndToEnd;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit;

namespace Orchestrator.Engine.Tests.Agents;

/// <summary>
/// An agent credential speaks for its own session, and a session only for the hosts it registered: it cannot take
/// another host's assignments, report for them or keep them alive, and a host another session took is no longer its
/// own. Against the real gateway on PostgreSQL, beside the fleet's real agents (web-1 is held by a real agent).
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class AgentSessionBindingTests(FleetFixture fleet)
{
    private EngineHarness H => fleet.Harness;

    private static string NewSession() => Guid.NewGuid().ToString("N");

    /// <summary>When a report says it happened: the fleet fixture's silos run on real time.</summary>
    private static string Now => TimeProvider.System.GetUtcNow().ToString("O");

    [Fact]
    public async Task Poll_ForAHostAnotherSessionHolds_IsRefused_AndHandsOutNothing()
    {
        var session = NewSession();
        await H.RegisterAgentSessionAsync(session, "bind-own-1");

        var (status, body) = await PostAsync(session, "poll", $$"""{"sessionId":"{{session}}","hosts":["web-1"],"running":[],"waitMs":0,"maxAssignments":10}""");

        Assert.Equal(409, status);
        Assert.Contains("web-1", body, StringComparison.Ordinal);
        Assert.Contains("another agent session", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poll_MixingOwnAndOthersHosts_ServesOnlyItsOwn()
    {
        var session = NewSession();
        await H.RegisterAgentSessionAsync(session, "bind-mix-1");
        var plan = await H.PutPlanAsync("""
            name: bind-mix
            steps:
              - name: both
                targets: {hosts: [web-1, bind-mix-1]}
                script: echo hi
            """);
        var id = await H.RunAsync(plan);

        // The fake session polls for its own host and web-1 (the real agent's): it is handed its own host's work only.
        var handed = await Eventually.Until(async () =>
        {
            var (status, body) = await PostAsync(session, "poll", $$"""{"sessionId":"{{session}}","hosts":["bind-mix-1","web-1"],"running":[],"waitMs":0,"maxAssignments":10}""");
            Assert.Equal(200, status);
            return JsonNode.Parse(body)!["assignments"]!.AsArray().Select(a => a!["host"]!.GetValue<string>()).ToList();
        }, hosts => hosts.Count > 0, TimeSpan.FromSeconds(60), "bind-mix-1's assignment handed out");

        Assert.Equal(["bind-mix-1"], handed);
        // web-1's target ran on its own agent, once.
        var web = await Eventually.Until(async () => JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/web-1")),
            t => t?["status"]?.GetValue<string>() == "succeeded", TimeSpan.FromSeconds(60), "web-1 succeeded on its agent");
        Assert.Single(web!["attempts"]!.AsArray());
        Assert.Contains("hi", await H.LogTextAsync(id, 0, "web-1"), StringComparison.Ordinal);
        await CancelAsync(id);
    }

    [Fact]
    public async Task Events_ForAnotherSessionsHost_AreRefusedAlone_TheOthersApplied()
    {
        var session = NewSession();
        await H.RegisterAgentSessionAsync(session, "bind-ev-1");
        var others = $"i{Guid.NewGuid():N}:0:web-1#1";
        var own = $"i{Guid.NewGuid():N}:0:bind-ev-1#1";

        var (status, body) = await PostAsync(session, "events", $$"""
            {"sessionId":"{{session}}","events":[
              {"assignmentId":"{{others}}","type":"finished","at":"{{Now}}","outcome":"succeeded","exitCode":0},
              {"assignmentId":"{{own}}","type":"progress","at":"{{Now}}","percent":5}]}
            """);

        Assert.Equal(200, status);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(1, json["accepted"]!.GetValue<int>());
        var refused = Assert.Single(json["refused"]!.AsArray());
        Assert.Equal(0, refused!["index"]!.GetValue<int>());
        Assert.Equal("events[0].assignmentId", refused["field"]!.GetValue<string>());
        Assert.Contains("another agent session", refused["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_ForAnotherSessionsHost_AreNotStored()
    {
        var session = NewSession();
        await H.RegisterAgentSessionAsync(session, "bind-log-1");
        var others = $"i{Guid.NewGuid():N}:0:web-1#1";

        var (status, body) = await PostAsync(session, "logs", $$"""
            {"sessionId":"{{session}}","chunks":[{"assignmentId":"{{others}}","seq":0,"at":"{{Now}}","stream":"stdout","text":"forged line"}]}
            """);

        Assert.Equal(200, status);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(0, json["accepted"]!.GetValue<int>());
        Assert.Contains("another agent session", Assert.Single(json["refused"]!.AsArray())!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await H.Database.Logs.ReadAsync(others, 0, 10)).Chunks);
    }

    [Fact]
    public async Task ABodyNamingAnotherSession_IsRefused()
    {
        var mine = NewSession();
        var theirs = NewSession();
        await H.RegisterAgentSessionAsync(mine, "bind-body-1");
        await H.RegisterAgentSessionAsync(theirs, "bind-body-2");

        // Mine's credential, theirs' session in the body: keeping their host alive in their name is refused.
        var (status, body) = await PostAsync(mine, "heartbeat", $$"""{"sessionId":"{{theirs}}","hosts":["bind-body-2"],"draining":false}""");

        Assert.Equal(403, status);
        Assert.Contains("not the session this agent credential was issued to", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHostNoSessionHolds_IsGone_UntilTheAgentRegistersAgain()
    {
        var session = NewSession();
        var heartbeat = $$"""{"sessionId":"{{session}}","hosts":["bind-gone-1"],"draining":false}""";

        var (before, body) = await PostAsync(session, "heartbeat", heartbeat);
        await H.RegisterAgentSessionAsync(session, "bind-gone-1");
        var (after, _) = await PostAsync(session, "heartbeat", heartbeat);

        Assert.Equal(410, before); // the agent protocol's "register again" (docs/agent-protocol.md)
        Assert.Contains("register again", body, StringComparison.Ordinal);
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task AHostTakenOverByANewSession_IsNoLongerTheOldSessions()
    {
        var old = NewSession();
        var next = NewSession();
        await H.RegisterAgentSessionAsync(old, "bind-take-1");
        var (first, _) = await PostAsync(old, "heartbeat", $$"""{"sessionId":"{{old}}","hosts":["bind-take-1"],"draining":false}""");

        await H.RegisterAgentSessionAsync(next, "bind-take-1"); // the agent restarted under a new session, or a second agent took the name
        var report = (string session) => $$"""{"sessionId":"{{session}}","events":[{"assignmentId":"i{{Guid.NewGuid():N}}:0:bind-take-1#1","type":"progress","at":"{{Now}}","percent":5}]}""";
        var (oldStatus, oldBody) = await PostAsync(old, "events", report(old));
        var (nextStatus, nextBody) = await PostAsync(next, "events", report(next));

        Assert.Equal(200, first);
        Assert.Equal(200, oldStatus); // 200 with the item refused: not 410, so the old agent does not register again and take the host back
        Assert.Equal(0, JsonNode.Parse(oldBody)!["accepted"]!.GetValue<int>());
        Assert.Contains("another agent session", oldBody, StringComparison.Ordinal);
        Assert.Equal(200, nextStatus);
        Assert.Equal(1, JsonNode.Parse(nextBody)!["accepted"]!.GetValue<int>());
    }

    [Fact]
    public async Task TwoAgentProcessesAnsweringForOneHost_TheWorkRunsOnce_OnTheOneThatRegisteredLast()
    {
        // Two real agent processes given the same host name (a copied config, a second install): the one that
        // registered last holds the host; the other is answered 409 and runs nothing of it.
        var marks = Path.Combine(Path.GetTempPath(), "orch-bind-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(marks);
        await using var first = AgentProcess.Start(H.Server, H.Token, "bind-twice-1");
        await H.WaitForHostsAsync("bind-twice-1");
        var firstSession = await SessionOfAsync("bind-twice-1");
        await using var second = AgentProcess.Start(H.Server, H.Token, "bind-twice-1");
        await Eventually.Until(() => SessionOfAsync("bind-twice-1"), s => s is not null && s != firstSession, TimeSpan.FromSeconds(60),
            "the second agent's session holding bind-twice-1");
        var plan = await H.PutPlanAsync($$"""
            name: bind-twice
            steps:
              - name: mark
                targets: {hosts: [bind-twice-1]}
                script: echo "run by $PPID" >> {{marks}}/runs
            """);

        var done = await H.WaitForInstanceAsync(await H.RunAsync(plan), TimeSpan.FromSeconds(60), "succeeded", "failed");

        Assert.Equal("succeeded", EngineHarness.StatusOf(done));
        Assert.Single(await File.ReadAllLinesAsync(Path.Combine(marks, "runs")));
        await Eventually.Until(() => Task.FromResult(first.Log), log => log.Contains("another agent session", StringComparison.Ordinal), TimeSpan.FromSeconds(60),
            "the first agent told the host is held by another session");
        Assert.DoesNotContain("another agent session", second.Log, StringComparison.Ordinal);
        Directory.Delete(marks, recursive: true);
    }

    private async Task<string?> SessionOfAsync(string host) =>
        JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/hosts/{host}"))?["sessionId"]?.GetValue<string>();

    [Theory]
    [InlineData("s1", "s1", HostHold.Held)]
    [InlineData("s1", "s2", HostHold.Elsewhere)]
    [InlineData("s1", null, HostHold.Released)]
    public void Classify_ReadsTheSessionHoldingTheHost(string session, string? holder, HostHold expected)
    {
        var row = new IndexRow(IndexKinds.Host, "", "h", 1,
            System.Text.Json.JsonSerializer.Serialize(new HostIndexData(new Dictionary<string, string>(), holder, null, 1), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));

        Assert.Equal(expected, AgentHostHolds.Classify(session, row));
        Assert.Equal(HostHold.Released, AgentHostHolds.Classify(session, null)); // no row: never registered, or removed
    }

    [Theory]
    [InlineData("i1:0:web-1", "web-1")]
    [InlineData("i1:0:@src2", null)]
    public void HostOf_NamesTheTargetsHost_ButNotAFileSource(string targetKey, string? host) => Assert.Equal(host, AgentHostHolds.HostOf(targetKey));

    private async Task<(int Status, string Body)> PostAsync(string session, string endpoint, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/agent/{endpoint}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", H.AgentCredentialFor(session));
        using var response = await H.Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task CancelAsync(string id)
    {
        using var response = await H.ControlAsync($"/api/v1/task-instances/{id}/cancel");
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"cancel: {(int)response.StatusCode}");
    }
}
