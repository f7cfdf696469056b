using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Agent.Protocol;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>
/// Registering agents with a namespace's own token: an API token holding the <c>agent</c> role on a namespace registers
/// hosts there and nowhere else, cannot take another namespace's host, reads nothing, and the credential it gets is
/// handed only that namespace's work and files — a real silo (SQLite), a real agent process and the raw protocol.
/// </summary>
public sealed class NamespaceRegistrationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private EngineHarness _h = null!;
    private string _agentTokenA = "";

    public async Task InitializeAsync()
    {
        _h = await EngineHarness.StartAsync(EngineStores.Sqlite());
        _agentTokenA = await _h.TokenForAsync("registrar-a", new Dictionary<string, string[]> { ["team-a"] = ["agent"] });
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Register_WithTheNamespacesAgentToken_TheAgentRunsThatNamespacesWork()
    {
        var agent = AgentProcess.Start(_h.Server, _agentTokenA, "nsreg-a1", new Dictionary<string, string> { ["nsreg"] = "yes" }, "", "--namespace", "team-a");
        try
        {
            await _h.WaitForHostsAsync("nsreg-a1");
            var plan = await _h.PutPlanAsync("""
                name: by-a-registered-agent
                namespace: team-a
                steps:
                  - name: hello
                    targets: {selector: "nsreg=yes"}
                    script: echo "hello from $ORCH_HOST"
                """);
            var id = await _h.RunAsync(plan);

            Assert.Equal("succeeded", EngineHarness.StatusOf(await _h.WaitForInstanceAsync(id, Wait, "succeeded", "failed")));
            Assert.Contains("hello from nsreg-a1", await _h.LogTextAsync(id, 0, "nsreg-a1"));
            var host = JsonNode.Parse(await _h.Http.GetStringAsync("/api/v1/hosts/nsreg-a1"))!;
            Assert.Equal("team-a", host["namespace"]!.GetValue<string>());
        }
        finally
        {
            output.WriteLine(agent.Log);
            await agent.DisposeAsync();
        }
    }

    [Fact]
    public async Task Register_OutsideTheTokensNamespace_Is403NamingTheRole()
    {
        var (status, body, _, _) = await RegisterAsync(_agentTokenA, "team-b", "nsreg-x1");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("namespace 'team-b' needs the 'agent' role", body, StringComparison.Ordinal);
        Assert.Contains("'team-a'", body, StringComparison.Ordinal);
        Assert.Equal("absent", await HostStatusAsync("nsreg-x1"));
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("operator")]
    public async Task Register_WithATokenWithoutTheAgentRole_Is403(string role)
    {
        var token = await _h.TokenForAsync($"not-a-registrar-{role}", new Dictionary<string, string[]> { ["team-a"] = [role] });

        var (status, body, _, _) = await RegisterAsync(token, "team-a", $"nsreg-{role}");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("'agent' role", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_AHostOfAnotherNamespace_WithANamespaceToken_Is403_TheRegistrationTokenMovesIt()
    {
        var (cluster, _, _, _) = await RegisterAsync(_h.Token, "team-b", "nsreg-b1");
        Assert.Equal(HttpStatusCode.OK, cluster);

        var (status, body, _, _) = await RegisterAsync(_agentTokenA, "team-a", "nsreg-b1");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("nsreg-b1 (namespace 'team-b')", body, StringComparison.Ordinal);
        var host = JsonNode.Parse(await _h.Http.GetStringAsync("/api/v1/hosts/nsreg-b1"))!;
        Assert.Equal("team-b", host["namespace"]!.GetValue<string>());
    }

    [Fact]
    public async Task AgentToken_ReadsNothing()
    {
        using var registrar = _h.NewClient(_agentTokenA);

        using var plans = await registrar.GetAsync("/api/v1/plans?namespace=team-a");
        using var hosts = await registrar.GetAsync("/api/v1/hosts");

        Assert.Equal(HttpStatusCode.Forbidden, plans.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, hosts.StatusCode);
    }

    [Fact]
    public async Task Poll_CredentialOfANamespaceToken_IsHandedOnlyThatNamespacesWork()
    {
        // A team-b host registered with the registration token, and a plan of team-b aimed at it: its assignment waits.
        var (registered, _, clusterCredential, clusterSession) = await RegisterAsync(_h.Token, "team-b", "nsreg-b2");
        Assert.Equal(HttpStatusCode.OK, registered);
        var plan = await _h.PutPlanAsync("""
            name: for-b
            namespace: team-b
            steps:
              - name: hello
                targets: {hosts: [nsreg-b2]}
                script: echo b
            """);
        var id = await _h.RunAsync(plan);
        // The registration token's credential (every namespace) is handed it...
        var handed = await Eventually.Until(async () => (await PollAsync(clusterCredential!, clusterSession, "nsreg-b2")).Assignments, a => a.Count > 0, Wait,
            "the team-b assignment handed out");
        Assert.StartsWith(id, handed[0], StringComparison.Ordinal);

        // ...a credential bound to team-a, naming the same host, is not (its session does not hold the host); and it
        // cannot fetch team-b's files either.
        var (own, _, scopedCredential, scopedSession) = await RegisterAsync(_agentTokenA, "team-a", "nsreg-a2");
        Assert.Equal(HttpStatusCode.OK, own);
        Assert.StartsWith("orchn.", scopedCredential, StringComparison.Ordinal);
        var (refused, none) = await PollAsync(scopedCredential!, scopedSession, "nsreg-b2");
        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Empty(none);
        Assert.NotEmpty((await PollAsync(clusterCredential!, clusterSession, "nsreg-b2")).Assignments); // still open: the refusal was the credential's

        var sha = await UploadAsync("team-b only\n", "team-b");
        Assert.Equal(HttpStatusCode.NotFound, await DownloadAsync(scopedCredential!, sha));
        Assert.Equal(HttpStatusCode.OK, await DownloadAsync(clusterCredential!, sha));
        var mine = await UploadAsync("team-a's\n", "team-a");
        Assert.Equal(HttpStatusCode.OK, await DownloadAsync(scopedCredential!, mine));
    }

    private async Task<(HttpStatusCode Status, string Body, string? Credential, string Session)> RegisterAsync(string token, string ns, string host)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_h.Server) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var session = Guid.NewGuid().ToString("N");
        var request = new RegisterRequest(session, "test", [new AgentHost(host, new Dictionary<string, string>(), 1)]) { Namespace = ns };
        using var response = await http.PostAsJsonAsync("/api/v1/agent/register", request, ProtocolJson.Options);
        var body = await response.Content.ReadAsStringAsync();
        var credential = response.IsSuccessStatusCode ? JsonNode.Parse(body)!["credential"]!.GetValue<string>() : null;
        return (response.StatusCode, body, credential, session);
    }

    /// <summary>A poll for <paramref name="host"/> as <paramref name="session"/>: its status and, when answered 200, the assignments handed out.</summary>
    private async Task<(HttpStatusCode Status, List<string> Assignments)> PollAsync(string credential, string session, string host)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_h.Server) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", credential);
        using var response = await http.PostAsJsonAsync("/api/v1/agent/poll", new PollRequest(session, [host], [], 300, 10), ProtocolJson.Options);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"poll: {(int)response.StatusCode} {body}");
        return (response.StatusCode, response.IsSuccessStatusCode ? [.. JsonNode.Parse(body)!["assignments"]!.AsArray().Select(a => a!["id"]!.GetValue<string>())] : []);
    }

    private async Task<string> UploadAsync(string content, string ns)
    {
        using var body = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(content));
        using var uploaded = await _h.Http.PostAsync($"/api/v1/files?namespace={ns}", body);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        return JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!["sha256"]!.GetValue<string>();
    }

    private async Task<HttpStatusCode> DownloadAsync(string credential, string sha)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_h.Server) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", credential);
        using var response = await http.GetAsync($"/api/v1/agent/files/{sha}");
        return response.StatusCode;
    }

    private async Task<string> HostStatusAsync(string host)
    {
        using var response = await _h.Http.GetAsync($"/api/v1/hosts/{host}");
        return response.StatusCode == HttpStatusCode.NotFound ? "absent" : JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<string>();
    }
}
