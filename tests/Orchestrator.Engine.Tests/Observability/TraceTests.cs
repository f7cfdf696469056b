using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Engine.Tests.Observability;

/// <summary>
/// One plan run is one trace: a real silo process on PostgreSQL and a real agent process, both exporting over OTLP
/// (their real exporters) to <see cref="OtlpReceiver"/>, a collector in this test. The run's spans — the API request,
/// the grains (Orleans' calls and ours), the database and the agent's work — share the trace id the API answered in
/// <c>X-Trace-Id</c>, and the agent's span hangs under the assignment's and the target's report under the agent's.
/// </summary>
public sealed class TraceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "trace-test-agent-token";
    private readonly Runtime.Persistence.OrchestratorDatabaseOptions _store = EngineStores.Postgres("trace");
    private readonly List<IAsyncDisposable> _cleanup = [];
    private SiloProcess? _silo;
    private AgentProcess? _agent;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        output.WriteLine("--- silo ---\n" + _silo?.Log);
        output.WriteLine("--- agent ---\n" + _agent?.Log);
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            await item.DisposeAsync();
        }
        await EngineStores.DropAsync(_store);
    }

    [Fact]
    public async Task PlanRun_WithOtlpConfigured_IsOneTraceFromApiThroughGrainsAndDatabaseToAgent()
    {
        var receiver = await OtlpReceiver.StartAsync();
        _cleanup.Add(receiver);
        _silo = SiloProcess.Start(SiloProcess.NewDataDirectory("trace"), "--store", "postgres", "--connection-string", _store.ConnectionString,
            "--agent-token", Token, "--otlp-endpoint", receiver.Endpoint, "--log-format", "json", "--shutdown-drain-timeout", "00:00:05");
        _cleanup.Add(_silo);
        await _silo.WaitReadyAsync();
        _agent = AgentProcess.Start(_silo.Http.BaseAddress!.ToString().TrimEnd('/'), Token, "traced-host", extra: ["--otlp-endpoint", receiver.Endpoint, "--log-format", "json"]);
        _cleanup.Add(_agent);
        await _silo.WaitForHostAsync("traced-host");

        using (var put = await _silo.Http.PutAsync("/api/v1/plans/traced", new StringContent("""
            name: traced
            steps:
              - name: greet
                script: echo "a traced run"
                targets:
                  hosts: [traced-host]
            """, Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        using var run = await _silo.Http.PostAsJsonAsync("/api/v1/plans/traced/run", new { });
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        var traceId = run.Headers.GetValues("X-Trace-Id").Single();
        var id = JsonNode.Parse(await run.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        await Eventually.Until(async () => JsonNode.Parse(await _silo.Http.GetStringAsync($"/api/v1/task-instances/{id}"))!["status"]!.GetValue<string>(),
            s => s is "succeeded" or "failed", TimeSpan.FromSeconds(60), $"instance {id} finished");

        // The exporters batch (every 5 s by default): wait until the run's last span and the agent's have arrived.
        string[] ours = ["orchestrator.instance.start", "orchestrator.step.start", "orchestrator.target.dispatch", "orchestrator.target.finish",
            "orchestrator.step.finish", "orchestrator.instance.finish"];
        var trace = await Eventually.Until(() => Task.FromResult(receiver.Spans.Where(s => s.TraceId == traceId).ToList()),
            spans => ours.All(n => spans.Any(s => s.Name == n)) && spans.Any(s => s.Service == "orchestrator-agent") && spans.Any(s => s.Scope == "Npgsql"),
            TimeSpan.FromSeconds(60), $"the run's spans in trace {traceId} (received so far: {Describe(receiver.Spans)})");
        output.WriteLine(Describe(trace));

        // API: the request that started the run is the trace's root.
        var request = Assert.Single(trace, s => s.Scope == "Microsoft.AspNetCore" && s.ParentSpanId.Length == 0);
        Assert.Equal("orchestrator-silo", request.Service);
        // Grains: Orleans' grain calls and ours, all of this instance.
        Assert.Contains(trace, s => s.Scope == "Microsoft.Orleans.Application");
        Assert.All(trace.Where(s => s.Name == "orchestrator.instance.start"), s => Assert.Equal(id, s.Attributes["orchestrator.instance"]));
        // Database: Npgsql's spans of the same run (the step reads its hosts inside its start span).
        Assert.Contains(trace, s => s.Scope == "Npgsql" && s.Service == "orchestrator-silo");
        // Agent: its work is a child of the target's dispatch, and the target's finish a child of the agent's work.
        var agent = Assert.Single(trace, s => s.Name == "orchestrator.agent.run");
        Assert.Equal("orchestrator-agent", agent.Service);
        Assert.Equal(id + ":0:traced-host#1", agent.Attributes["orchestrator.assignment"]);
        var dispatch = Assert.Single(trace, s => s.Name == "orchestrator.target.dispatch");
        Assert.Equal(dispatch.SpanId, agent.ParentSpanId);
        Assert.Equal(agent.SpanId, Assert.Single(trace, s => s.Name == "orchestrator.target.finish").ParentSpanId);
        // One trace: no span of this run went into another one.
        Assert.DoesNotContain(receiver.Spans, s => s.TraceId != traceId && s.Attributes.Values.Any(v => v.StartsWith(id, StringComparison.Ordinal)));
        // Every span's parent is in the trace (nothing hangs off a span that was never exported), but the root.
        var ids = trace.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        Assert.All(trace.Where(s => s != request), s => Assert.Contains(s.ParentSpanId, ids));

        // Structured logs: JSON lines, and what the agent logged about the assignment carries the run's trace and its span.
        Assert.Contains(JsonLines(_silo.Log), l => l["Category"]?.GetValue<string>() == "Orchestrator.Silo");
        var finished = Assert.Single(JsonLines(_agent.Log), l => l["EventId"]?.GetValue<int>() == 3203);
        var scope = Assert.Single(finished["Scopes"]!.AsArray(), s => s?["TraceId"] is not null)!;
        Assert.Equal(traceId, scope["TraceId"]!.GetValue<string>());
        Assert.Equal(agent.SpanId, scope["SpanId"]!.GetValue<string>());
        Assert.DoesNotContain(Token, _silo.Log + _agent.Log, StringComparison.Ordinal);

        Assert.Equal(0, (await _silo.StopAsync()).ExitCode);
    }

    /// <summary>The JSON console's entries among a process's output lines (a JSON entry may span several lines when indented: not here).</summary>
    private static List<JsonNode> JsonLines(string log)
    {
        var lines = log.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.NotEmpty(lines);
        return lines;
    }

    private static string Describe(IEnumerable<ReceivedSpan> spans) =>
        string.Join("\n", spans.Select(s => $"{s.TraceId[..8]} {s.SpanId} <- {(s.ParentSpanId.Length == 0 ? "(root)          " : s.ParentSpanId)} {s.Service} [{s.Scope}] {s.Name}"));
}
