using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Audit;

namespace Orchestrator.Engine.Tests.Audit;

/// <summary>
/// The audit log and trace ids against the real API on a real cluster, on each store: what is recorded for accepted
/// and refused changes, what is not (reads, the agents' data plane, secret values), the query's filters and paging,
/// and one trace id across the reply header, the error body and the entry.
/// </summary>
public abstract class AuditTests(AuditFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private EngineHarness H => fixture.Harness;

    private const string Plan = """
        name: audited
        steps:
          - name: hello
            script:
              source: echo hello
            targets:
              hosts: [audit-1]
        """;

    private async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpMethod method, string path, string principal, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = await new HttpRequestMessage(method, path) { Content = content }.AsAsync(H.Http, principal);
        configure?.Invoke(request);
        var response = await H.Http.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    /// <summary>The principal's entries as the API answers them (newest first).</summary>
    private async Task<JsonArray> EntriesAsync(string query)
    {
        using var response = await H.Http.GetAsync("/api/v1/audit?" + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET audit?{query}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["items"]!.AsArray();
    }

    private static string TraceHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Trace-Id", out var values) ? string.Join(",", values) : "(none)";

    private static string Summary(JsonNode? e) =>
        $"{e!["action"]} {e["object"]?["kind"]}:{e["object"]?["id"]} {e["status"]}";

    [Fact]
    public async Task Changes_OfEachKind_AreRecordedWithWhoActionObjectTimeAddressOutcomeAndTraceId()
    {
        var who = AuditCaller.NewPrincipal();
        var planId = "pa" + Guid.NewGuid().ToString("N")[..10];

        var (put, _) = await SendAsync(HttpMethod.Put, $"/api/v1/plans/{planId}", who, Yaml(Plan));
        var (run, runBody) = await SendAsync(HttpMethod.Post, $"/api/v1/plans/{planId}/run", who, Json(new { }));
        var instance = JsonNode.Parse(runBody)!["id"]!.GetValue<string>();
        await H.WaitForInstanceAsync(instance, Wait, "succeeded", "failed");
        var (schedule, _) = await SendAsync(HttpMethod.Put, $"/api/v1/plans/{planId}/schedules/nightly", who, Json(new { cron = "0 3 * * *" }));
        var (suspend, _) = await SendAsync(HttpMethod.Post, $"/api/v1/plans/{planId}/schedules/nightly/suspend", who, Json(new { }));
        var (unschedule, _) = await SendAsync(HttpMethod.Delete, $"/api/v1/plans/{planId}/schedules/nightly", who);
        var (delete, _) = await SendAsync(HttpMethod.Delete, $"/api/v1/task-instances/{instance}", who);

        Assert.Equal(
            [HttpStatusCode.Created, HttpStatusCode.Accepted, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.NoContent, HttpStatusCode.NoContent],
            new[] { put, run, schedule, suspend, unschedule, delete }.Select(r => r.StatusCode));
        var entries = await EntriesAsync($"who={who}");
        Assert.Equal(
            [$"instance.delete instance:{instance} 204", $"schedule.delete schedule:{planId}/nightly 204", $"schedule.suspend schedule:{planId}/nightly 200",
             $"schedule.put schedule:{planId}/nightly 201", $"plan.run plan:{planId} 202", $"plan.put plan:{planId} 201"],
            entries.Select(Summary));
        var first = entries[^1]!;
        Assert.Equal(who, first["who"]!.GetValue<string>());
        Assert.Equal("PUT", first["method"]!.GetValue<string>());
        Assert.Equal("/api/v1/plans/{id}", first["route"]!.GetValue<string>());
        Assert.Equal(fixture.Clock.GetUtcNow(), first["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal("127.0.0.1", first["address"]!.GetValue<string>());
        Assert.Null(first["problem"]);
        Assert.Equal(TraceHeader(put), first["traceId"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{32}$", TraceHeader(put));
        Assert.Equal(entries.Count, entries.Select(e => e!["traceId"]!.GetValue<string>()).Distinct().Count());
    }

    [Fact]
    public async Task RefusedChanges_400_404_409_AreRecordedWithTheirStatusAndProblemTitle()
    {
        var who = AuditCaller.NewPrincipal();
        var planId = await H.PutPlanAsync(Plan);
        var missing = "ti-" + Guid.NewGuid().ToString("N")[..12];

        var (invalid, _) = await SendAsync(HttpMethod.Put, $"/api/v1/plans/{planId}", who, Yaml("name: [unclosed"));
        var (notFound, _) = await SendAsync(HttpMethod.Post, $"/api/v1/task-instances/{missing}/cancel", who, Json(new { }));
        var (conflict, _) = await SendAsync(HttpMethod.Put, $"/api/v1/plans/{planId}", who, Yaml(Plan), r => r.Headers.TryAddWithoutValidation("If-Match", "\"7\""));
        var (badStep, _) = await SendAsync(HttpMethod.Post, $"/api/v1/task-instances/{missing}/steps/0/explode", who, Json(new { }));
        var (badKey, _) = await SendAsync(HttpMethod.Post, $"/api/v1/task-instances/{missing}/cancel", who, Json(new { }),
            r => r.Headers.TryAddWithoutValidation("Idempotency-Key", "not a key"));
        var (unmatched, _) = await SendAsync(HttpMethod.Post, "/api/v1/nothing-here", who, Json(new { }));

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.Conflict, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound],
            new[] { invalid, notFound, conflict, badStep, badKey, unmatched }.Select(r => r.StatusCode));
        var entries = await EntriesAsync($"who={who}");
        Assert.Equal(
            ["unmatched : 404", "refused : 400", $"instance.step.unknown instance:{missing}/steps/0 400", $"plan.put plan:{planId} 409",
             $"instance.cancel instance:{missing} 404", $"plan.put plan:{planId} 400"],
            entries.Select(Summary));
        Assert.Equal(["Not found.", "The request is invalid.", "The request is invalid.", "Conflicts with the current state.", "Not found.", "The plan is invalid."],
            entries.Select(e => e!["problem"]?.GetValue<string>()));
        Assert.Equal(["", ""], entries.Take(2).Select(e => e!["route"]!.GetValue<string>())); // no path recorded when no route matched
    }

    [Fact]
    public async Task HarborJobsApi_SubmitRefusedAndUnauthorized_AreRecordedAndItsErrorsCarryTheTraceId()
    {
        var who = AuditCaller.NewPrincipal();

        var (unauthorized, unauthorizedBody) = await SendAsync(HttpMethod.Post, "/api/v1/jobs", who, Json(new { }));
        var (invalid, invalidBody) = await SendAsync(HttpMethod.Post, "/api/v1/jobs", who, Json(new { }),
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Harbor-Secret", AuditFixture.JobsSecret));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest), (unauthorized.StatusCode, invalid.StatusCode));
        Assert.Equal(TraceHeader(unauthorized), JsonNode.Parse(unauthorizedBody)!["trace_id"]?.GetValue<string>());
        Assert.Equal(TraceHeader(invalid), JsonNode.Parse(invalidBody)!["trace_id"]?.GetValue<string>());
        // The jobs API's caller is Harbor's core, known by the shared secret (not the bearer token the test also sent).
        var traces = new[] { TraceHeader(invalid), TraceHeader(unauthorized) };
        var entries = new JsonArray([.. (await EntriesAsync("who=harbor&action=job.submit&limit=500"))
            .Where(e => traces.Contains(e!["traceId"]!.GetValue<string>())).Select(e => e!.DeepClone())]);
        Assert.Equal(["job.submit job: 400", "job.submit job: 401"], entries.Select(Summary));
        Assert.Equal(traces, entries.Select(e => e!["traceId"]!.GetValue<string>()));
        Assert.Equal("Not authenticated.", entries[1]!["problem"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReadsAndTheAgentDataPlane_AreNotRecorded_ButAgentRegistrationIs()
    {
        var who = AuditCaller.NewPrincipal();
        var planId = await H.PutPlanAsync(Plan);
        // A run on the agent's host: its polls, events, logs and heartbeats all reach the gateway before it ends.
        var instance = await H.RunAsync(planId);
        await H.WaitForInstanceAsync(instance, Wait, "succeeded");

        await SendAsync(HttpMethod.Get, $"/api/v1/plans/{planId}", who);
        await SendAsync(HttpMethod.Get, $"/api/v1/task-instances/{instance}", who);
        await SendAsync(HttpMethod.Get, "/api/v1/hosts", who);
        var (preview, _) = await SendAsync(HttpMethod.Post, "/api/v1/schedules/preview", who, Json(new { cron = "0 3 * * *" }));

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Empty(await EntriesAsync($"who={who}"));
        var all = await H.Database.Audit.QueryAsync(new AuditQuery(Limit: 100_000));
        Assert.DoesNotContain(all, e => e.Route.StartsWith("/api/v1/agent/", StringComparison.Ordinal) && e.Action != "agent.register");
        Assert.Contains(all, e => e.Action == "agent.register" && e.Route == "/api/v1/agent/register" && e.Status == 200);
        Assert.DoesNotContain(all, e => e.Method == "GET");
    }

    [Fact]
    public async Task RunWithASecretParameter_LeavesNoTraceOfTheValueInAnyAuditRow()
    {
        var who = AuditCaller.NewPrincipal();
        var secret = "s3cr3t-" + Guid.NewGuid().ToString("N");
        var planId = await H.PutPlanAsync(Plan.Replace("steps:", "parameters:\n  - name: token\n    type: secret\nsteps:", StringComparison.Ordinal));

        var (run, body) = await SendAsync(HttpMethod.Post, $"/api/v1/plans/{planId}/run", who, Json(new { parameters = new { token = secret } }),
            r => r.Headers.TryAddWithoutValidation("X-Extra", secret));
        var (query, _) = await SendAsync(HttpMethod.Post, $"/api/v1/plans/{planId}/run?token=" + secret, who, Json(new { parameters = new { token = secret } }));
        var (refused, _) = await SendAsync(HttpMethod.Post, $"/api/v1/plans/{planId}/run", who, Json(new { parameters = new { token = secret, nope = secret } }));

        Assert.True(run.StatusCode == HttpStatusCode.Accepted, $"run: {(int)run.StatusCode} {body}");
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (query.StatusCode, refused.StatusCode));
        await H.WaitForInstanceAsync(JsonNode.Parse(body)!["id"]!.GetValue<string>(), Wait, "succeeded");
        Assert.Equal(3, (await EntriesAsync($"who={who}")).Count);
        var stored = await H.Database.Audit.QueryAsync(new AuditQuery(Limit: 100_000));
        var text = JsonSerializer.Serialize(stored);
        Assert.Contains(who, text, StringComparison.Ordinal); // the search does see what the rows hold
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        using var api = await H.Http.GetAsync("/api/v1/audit?limit=1000");
        Assert.DoesNotContain(secret, await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TraceParentSentIn_IsTheTraceIdOfTheReplyHeaderTheProblemBodyAndTheAuditEntry()
    {
        var who = AuditCaller.NewPrincipal();
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var traceparent = $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01";

        var (refused, body) = await SendAsync(HttpMethod.Put, "/api/v1/plans/px" + Guid.NewGuid().ToString("N")[..8], who, Yaml("steps: 5"),
            r => r.Headers.TryAddWithoutValidation("traceparent", traceparent));
        var (read, _) = await SendAsync(HttpMethod.Get, "/api/v1/hosts", who, configure: r => r.Headers.TryAddWithoutValidation("traceparent", traceparent));
        var (fresh, _) = await SendAsync(HttpMethod.Get, "/api/v1/hosts", who, configure: r => r.Headers.TryAddWithoutValidation("traceparent", "00-not-a-trace-01"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(traceId, TraceHeader(refused));
        Assert.Equal(traceId, JsonNode.Parse(body)!["traceId"]!.GetValue<string>());
        Assert.Equal(traceId, Assert.Single(await EntriesAsync($"who={who}"))!["traceId"]!.GetValue<string>());
        Assert.Equal(traceId, TraceHeader(read));
        Assert.Matches("^[0-9a-f]{32}$", TraceHeader(fresh)); // a malformed traceparent starts a trace of its own
        Assert.NotEqual(traceId, TraceHeader(fresh));
    }

    [Fact]
    public async Task Query_FiltersAndPaging_SelectTheirEntries()
    {
        var who = AuditCaller.NewPrincipal();
        var plans = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = "pq" + Guid.NewGuid().ToString("N")[..10];
            plans.Add(id);
            await SendAsync(HttpMethod.Put, $"/api/v1/plans/{id}", who, Yaml(Plan));
        }
        var missing = "ti-" + Guid.NewGuid().ToString("N")[..12];
        await SendAsync(HttpMethod.Post, $"/api/v1/task-instances/{missing}/cancel", who, Json(new { }));
        var now = Uri.EscapeDataString(fixture.Clock.GetUtcNow().ToString("O"));
        var later = Uri.EscapeDataString(fixture.Clock.GetUtcNow().AddSeconds(1).ToString("O"));

        Assert.Equal(4, (await EntriesAsync($"who={who}")).Count);
        Assert.Equal(3, (await EntriesAsync($"who={who}&action=plan.put")).Count);
        Assert.Equal($"plan.put plan:{plans[1]} 201", Summary(Assert.Single(await EntriesAsync($"object=plan:{plans[1]}"))));
        Assert.Equal($"instance.cancel instance:{missing} 404", Summary(Assert.Single(await EntriesAsync($"who={who}&object=instance"))));
        Assert.Equal(4, (await EntriesAsync($"who={who}&from={now}&to={later}")).Count);
        Assert.Empty(await EntriesAsync($"who={who}&from={later}"));
        Assert.Empty(await EntriesAsync($"who={who}&to={now}"));

        var seen = new List<string>();
        string? next = null;
        for (var page = 0; page < 5; page++)
        {
            using var response = await H.Http.GetAsync($"/api/v1/audit?who={who}&limit=3" + (next is null ? "" : "&after=" + next));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            seen.AddRange(body["items"]!.AsArray().Select(Summary));
            next = body["next"]?.GetValue<string>();
            if (next is null)
            {
                break;
            }
        }
        Assert.Equal((await EntriesAsync($"who={who}")).Select(Summary), seen);
    }

    [Theory]
    [InlineData("object=nope:p1", "object")]
    [InlineData("object=plan:", "object")]
    [InlineData("action=Plan%20Put", "action")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", "to")]
    [InlineData("limit=0", "limit")]
    [InlineData("after=not-a-cursor", "after")]
    [InlineData("who=a&who=b", "who")]
    [InlineData("whom=ann", "whom")]
    public async Task Query_BadFilter_IsA400NamingTheField(string query, string field)
    {
        using var response = await H.Http.GetAsync("/api/v1/audit?" + query);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, body["errors"]!.AsArray().Select(e => e!["path"]!.GetValue<string>()));
        Assert.Equal(TraceHeader(response), body["traceId"]!.GetValue<string>());
    }
}

public sealed class PostgresAuditTests(PostgresAuditFixture fixture) : AuditTests(fixture), IClassFixture<PostgresAuditFixture>;

public sealed class SqliteAuditTests(SqliteAuditFixture fixture) : AuditTests(fixture), IClassFixture<SqliteAuditFixture>;
