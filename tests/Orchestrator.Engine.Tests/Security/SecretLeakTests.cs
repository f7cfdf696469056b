using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Api.Agents;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Security;

/// <summary>
/// No token or secret value appears in any reply, log line or audit entry: a real silo process (SQLite, its local
/// agent, our own log categories and ASP.NET Core's authentication at Debug) and a real agent process go through what
/// handles secrets — the admin token, API tokens made, used, revoked and then refused, a made-up token, the agents'
/// registration token and credentials, the Harbor jobs secret (right and wrong), secret plan parameters (a default
/// and a value given at run time) echoed by the scripts on both hosts — and then every reply the test received (status
/// line, headers, body), the silo's and the agent's whole output, every audit entry, and the database files are
/// searched for each secret. The only reply allowed to hold a token is the one that created it, once.
/// </summary>
public sealed class SecretLeakTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _cleanup = [];
    private readonly Recorder _replies = new();
    private SiloProcess? _silo;
    private AgentProcess? _agent;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            output.WriteLine($"--- silo ({_silo.Log.Length} chars) ---");
            output.WriteLine(_silo.Log.Length > 20_000 ? _silo.Log[^20_000..] : _silo.Log);
        }
        if (_agent is not null)
        {
            output.WriteLine("--- agent ---");
            output.WriteLine(_agent.Log);
        }
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            await item.DisposeAsync();
        }
    }

    [Fact]
    public async Task WholeRun_NoSecretInAnyReplyLogLineAuditEntryOrStoredToken()
    {
        var registrationToken = "reg-" + Guid.NewGuid().ToString("N");
        var jobsSecret = "jobs-" + Guid.NewGuid().ToString("N");
        var defaultSecret = "default-pw-" + Guid.NewGuid().ToString("N")[..12];
        var runSecret = "run-pw-" + Guid.NewGuid().ToString("N")[..12];
        var data = SiloProcess.NewDataDirectory("leak");
        _silo = SiloProcess.Start(data, new Dictionary<string, string>
        {
            ["Logging__LogLevel__Orchestrator"] = "Debug",
            ["Logging__LogLevel__Microsoft.AspNetCore.Authentication"] = "Debug",
            ["Logging__LogLevel__Microsoft.AspNetCore.Authorization"] = "Debug",
        }, "--agent-token", registrationToken, "--jobs-secret", jobsSecret);
        _cleanup.Add(_silo);
        await _silo.WaitForHostAsync("local");
        var adminToken = _silo.AdminToken!;
        using var admin = Client(adminToken);

        // API tokens: one made and used, one made, revoked and then refused; a made-up one refused.
        var (usedToken, _) = await CreateTokenAsync(admin, "leak-viewer", new { @default = new[] { "operator" } });
        var (revokedToken, revokedId) = await CreateTokenAsync(admin, "leak-revoked", new { @default = new[] { "viewer" } });
        using (var viewer = Client(usedToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/plans")).StatusCode);
        }
        Assert.True((await admin.PostAsync($"/api/v1/tokens/{revokedId}/revoke", null)).IsSuccessStatusCode);
        using (var revoked = Client(revokedToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("/api/v1/plans")).StatusCode);
        }
        var madeUp = $"orch_{Guid.NewGuid().ToString("N")[..12]}_{Guid.NewGuid():N}";
        using (var stranger = Client(madeUp))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/v1/task-instances")).StatusCode);
        }

        // The Harbor jobs API, with its secret and with a wrong one.
        var wrongJobsSecret = "wrong-" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await HarborAsync(jobsSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await HarborAsync(wrongJobsSecret)).StatusCode);

        // A second host, its agent a process of its own that registers with the registration token.
        _agent = AgentProcess.Start($"http://127.0.0.1:{_silo.Port}", registrationToken, "leak-ext");
        _cleanup.Add(_agent);
        await Eventually.Until(async () => (await admin.GetAsync("/api/v1/hosts/leak-ext")).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "host leak-ext registered");
        var sessionOf = async (string host) => JsonNode.Parse(await admin.GetStringAsync($"/api/v1/hosts/{host}"))!["sessionId"]!.GetValue<string>();
        var credentials = new AgentCredentials(registrationToken);
        var agentCredential = credentials.Issue(await sessionOf("leak-ext"));
        var localCredential = credentials.Issue(await sessionOf("local"));

        // A plan with a secret parameter the scripts print, run with its default and with a value given at run time.
        var plan = $$$"""
            name: leak
            parameters:
              - name: password
                type: secret
                default: "{{{defaultSecret}}}"
            steps:
              - name: use
                targets:
                  hosts: [local, leak-ext]
                script: |
                  echo "the password is $ORCH_PARAM_PASSWORD"
                  echo "and again: ${{ params.password }}" >&2
            """;
        using (var content = new StringContent(plan, Encoding.UTF8, "application/yaml"))
        {
            using var put = await admin.PutAsync("/api/v1/plans/leak", content);
            Assert.True(put.IsSuccessStatusCode, $"PUT plan: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }
        var instances = new List<string>();
        using (var operatorClient = Client(usedToken))
        {
            foreach (var parameters in new object[] { new { }, new { password = runSecret } })
            {
                using var run = await operatorClient.PostAsJsonAsync("/api/v1/plans/leak/run", new { parameters });
                Assert.True(run.StatusCode == HttpStatusCode.Accepted, $"run: {(int)run.StatusCode} {await run.Content.ReadAsStringAsync()}");
                instances.Add(JsonNode.Parse(await run.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());
            }
        }
        foreach (var id in instances)
        {
            var done = await Eventually.Until(async () => JsonNode.Parse(await admin.GetStringAsync($"/api/v1/task-instances/{id}"))!,
                i => i["status"]!.GetValue<string>() is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(90), $"instance {id} finished");
            Assert.Equal("succeeded", done["status"]!.GetValue<string>());
            foreach (var host in new[] { "local", "leak-ext" })
            {
                var log = await admin.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets/{host}/log?format=text&limit=10000");
                Assert.Contains("the password is ***", log, StringComparison.Ordinal); // the script ran and its output is masked
            }
            await admin.GetStringAsync($"/api/v1/task-instances/{id}/steps/0/targets?limit=100");
        }
        await admin.GetStringAsync("/api/v1/plans/leak");
        await admin.GetStringAsync("/api/v1/plans/leak?format=yaml");
        await admin.GetStringAsync("/api/v1/tokens");

        // Every audit entry, page by page.
        var audit = new StringBuilder();
        string? after = null;
        do
        {
            var page = JsonNode.Parse(await admin.GetStringAsync("/api/v1/audit?limit=200" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after))))!;
            audit.Append(page["items"]!.ToJsonString());
            after = page["next"]?.GetValue<string>();
        }
        while (after is not null);
        Assert.True(audit.ToString().Contains($"\"action\":\"token.revoke\",\"object\":{{\"kind\":\"token\",\"id\":\"{revokedId}\"}}", StringComparison.Ordinal), audit.ToString()); // the audit log was read, and it holds the changes
        // An agent's registration is recorded as by the agent, on the host it registered.
        Assert.Contains("\"who\":\"agent\",\"action\":\"agent.register\",\"object\":{\"kind\":\"host\",\"id\":\"leak-ext\"}", audit.ToString(), StringComparison.Ordinal);

        var secrets = new Dictionary<string, string>
        {
            ["admin token"] = adminToken,
            ["API token used"] = usedToken,
            ["API token revoked"] = revokedToken,
            ["made-up token"] = madeUp,
            ["agent registration token"] = registrationToken,
            ["external agent's credential"] = agentCredential,
            ["local agent's credential"] = localCredential,
            ["jobs secret"] = jobsSecret,
            ["wrong jobs secret"] = wrongJobsSecret,
            ["secret parameter default"] = defaultSecret,
            ["secret parameter given at run time"] = runSecret,
        };
        Assert.True(_silo.Log.Length < SiloProcess.MaxLogChars, "the silo's output outgrew what the test keeps, so it would search only part of it");
        var stores = Directory.GetFiles(Path.Combine(data, "data"), "*.db*").Select(f => (File: Path.GetFileName(f), Text: Encoding.Latin1.GetString(File.ReadAllBytes(f)))).ToList();
        Assert.NotEmpty(stores);
        var leaks = new List<string>();
        foreach (var (name, secret) in secrets)
        {
            foreach (var (where, text) in _replies.Texts().Append(("the silo's output", _silo.Log)).Append(("the agent's output", _agent.Log)).Append(("the audit log", audit.ToString())))
            {
                if (text.Contains(secret, StringComparison.Ordinal))
                {
                    leaks.Add($"{name} in {where}");
                }
            }
        }
        // Tokens are stored as hashes: not one of them, nor the registration token, is in the database.
        foreach (var name in new[] { "admin token", "API token used", "API token revoked", "agent registration token", "external agent's credential" })
        {
            leaks.AddRange(stores.Where(s => s.Text.Contains(secrets[name], StringComparison.Ordinal)).Select(s => $"{name} stored in {s.File}"));
        }
        Assert.True(leaks.Count == 0, "secrets leaked:\n" + string.Join("\n", leaks));
        Assert.True(_replies.Count > 20, $"only {_replies.Count} replies were recorded");
    }

    private HttpClient Client(string? token)
    {
        var client = new HttpClient(new Recorder.Handler(_replies)) { BaseAddress = new Uri($"http://127.0.0.1:{_silo!.Port}"), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    private async Task<HttpResponseMessage> HarborAsync(string secret)
    {
        using var client = Client(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Harbor-Secret " + secret);
        return await client.GetAsync("/api/v1/stats");
    }

    /// <summary>Creates an API token: its text (whose reply is the one allowed to hold it, once) and id.</summary>
    private async Task<(string Token, string Id)> CreateTokenAsync(HttpClient admin, string name, object grants)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/tokens", new { name, grants });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create token: {(int)response.StatusCode} {body}");
        var created = JsonNode.Parse(body)!;
        var token = created["token"]!.GetValue<string>();
        Assert.Equal(1, CountOf(body, token));
        _replies.Allow(token);
        return (token, created["id"]!.GetValue<string>());
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    /// <summary>Every reply's status line, headers and body, as text.</summary>
    private sealed class Recorder
    {
        private readonly List<(string Where, string Text)> _replies = [];

        public int Count
        {
            get
            {
                lock (_replies)
                {
                    return _replies.Count;
                }
            }
        }

        /// <summary>The reply that created <paramref name="token"/> may hold it (once: checked by the caller).</summary>
        public void Allow(string token)
        {
            lock (_replies)
            {
                var last = _replies.FindLastIndex(r => r.Text.Contains(token, StringComparison.Ordinal));
                if (last >= 0)
                {
                    _replies[last] = (_replies[last].Where, _replies[last].Text.Replace(token, "<created token>", StringComparison.Ordinal));
                }
            }
        }

        public IEnumerable<(string Where, string Text)> Texts()
        {
            lock (_replies)
            {
                return [.. _replies];
            }
        }

        private void Add(string where, string text)
        {
            lock (_replies)
            {
                _replies.Add((where, text));
            }
        }

        public sealed class Handler(Recorder recorder) : DelegatingHandler(new HttpClientHandler())
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var response = await base.SendAsync(request, cancellationToken);
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                var text = new StringBuilder().Append((int)response.StatusCode).Append(' ').Append(response.ReasonPhrase).Append('\n');
                foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                {
                    text.Append(name).Append(": ").Append(string.Join(", ", values)).Append('\n');
                }
                text.Append(await response.Content.ReadAsStringAsync(cancellationToken));
                recorder.Add($"the reply to {request.Method} {request.RequestUri?.PathAndQuery}", text.ToString());
                return response;
            }
        }
    }
}
