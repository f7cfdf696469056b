using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Audit;

/// <summary>
/// Trace ids and the audit log in the silo process as shipped (SQLite, its own agent): there the host itself makes each
/// request's activity from the incoming <c>traceparent</c>, which the tests' in-process API does not.
/// </summary>
public sealed class SiloProcessAuditTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SiloProcess _silo = null!;

    public Task InitializeAsync()
    {
        _silo = SiloProcess.Start(SiloProcess.NewDataDirectory("audit"), "--silo-name", "audit-silo");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        output.WriteLine(_silo.Log);
        await _silo.DisposeAsync();
    }

    private static string NewTraceParent(out string traceId)
    {
        traceId = ActivityTraceId.CreateRandom().ToHexString();
        return $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
    }

    private async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpMethod method, string path, string traceparent, string? principal = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.TryAddWithoutValidation("traceparent", traceparent);
        if (principal is not null)
        {
            await request.AsAsync(_silo.Http, principal);
        }
        var response = await _silo.Http.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static string TraceHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Trace-Id", out var values) ? string.Join(",", values) : "(none)";

    [Fact]
    public async Task SiloProcess_TraceParentSentIn_IsTheReplyHeaderOfHealthAndApiAndTheAuditEntrysTraceId()
    {
        await _silo.WaitReadyAsync();
        var who = AuditCaller.NewPrincipal();

        var (health, _) = await SendAsync(HttpMethod.Get, "/healthz", NewTraceParent(out var healthTrace));
        var (saved, _) = await SendAsync(HttpMethod.Put, "/api/v1/plans/traced", NewTraceParent(out var savedTrace), who,
            new StringContent("name: traced\nsteps:\n  - name: a\n    script: echo a\n    targets:\n      hosts: [local]\n", Encoding.UTF8, "application/yaml"));
        var (refused, refusedBody) = await SendAsync(HttpMethod.Post, "/api/v1/task-instances/ti-nothere/cancel", NewTraceParent(out var refusedTrace), who,
            new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.NotFound), (health.StatusCode, saved.StatusCode, refused.StatusCode));
        Assert.Equal([healthTrace, savedTrace, refusedTrace], new[] { health, saved, refused }.Select(TraceHeader));
        Assert.Equal(refusedTrace, JsonNode.Parse(refusedBody)!["traceId"]!.GetValue<string>());
        using var audit = await _silo.Http.GetAsync($"/api/v1/audit?who={who}");
        var entries = JsonNode.Parse(await audit.Content.ReadAsStringAsync())!["items"]!.AsArray();
        Assert.Equal([(refusedTrace, "instance.cancel", 404), (savedTrace, "plan.put", 201)],
            entries.Select(e => (e!["traceId"]!.GetValue<string>(), e["action"]!.GetValue<string>(), e["status"]!.GetValue<int>())));
    }
}
