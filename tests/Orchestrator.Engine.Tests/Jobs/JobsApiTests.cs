using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Jobs;

/// <summary>Harbor's job service API end to end: real agents, real scripts, the secured jobs API.</summary>
[Collection(JobsCollection.Name)]
public sealed class JobsApiTests(JobsFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private EngineHarness H => fixture.Harness;

    private HttpClient Jobs => fixture.Jobs;

    [Fact]
    public async Task Submit_GenericOnStoredPlan_RunsWithItsParametersAndReportsSuccess()
    {
        var plan = await H.PutPlanAsync("""
            name: greet
            parameters:
              - name: who
                required: true
              - name: times
            steps:
              - name: say
                script:
                  source: echo "hello ${{ params.who }} x${{ params.times }}"
                targets:
                  hosts: [job-1]
            """);

        var (status, accepted) = await SubmitAsync(new { name = plan, parameters = new { who = "harbor", times = 3 }, metadata = new { kind = "Generic" } });

        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = accepted["id"]!.GetValue<string>();
        Assert.Equal("Pending", accepted["status"]!.GetValue<string>());
        Assert.Equal($"/api/v1/jobs/{id}", accepted["ref_link"]!.GetValue<string>());
        var done = await WaitForJobAsync(id, "Success", "Error");
        Assert.Equal("Success", done["status"]!.GetValue<string>());
        Assert.Equal(plan, done["name"]!.GetValue<string>());
        Assert.Equal("Generic", done["kind"]!.GetValue<string>());
        Assert.False(done["unique"]!.GetValue<bool>());
        Assert.Equal("3", done["parameters"]!["times"]!.GetValue<string>());
        Assert.True(done["update_time"]!.GetValue<long>() >= done["enqueue_time"]!.GetValue<long>());
        Assert.Contains("hello harbor x3", await LogAsync(id));
    }

    [Fact]
    public async Task Submit_BuiltinScript_RunsOnTheHost_AndItsStatusHookGetsHarborBodiesInOrder()
    {
        await using var receiver = await Hooks.HookReceiver.StartAsync();
        var (status, accepted) = await SubmitAsync(new
        {
            name = "script",
            parameters = new { host = "job-2", script = "echo \"ran on $ORCH_HOST\" with '${{ literal }}'" },
            status_hook = receiver.Url,
            metadata = new { kind = "Generic" },
        });

        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = accepted["id"]!.GetValue<string>();
        var done = await WaitForJobAsync(id, "Success", "Error");
        Assert.Equal("Success", done["status"]!.GetValue<string>());
        Assert.Equal("script", done["name"]!.GetValue<string>());
        Assert.Equal(receiver.Url, done["hook_status"]!.GetValue<string>());
        Assert.Contains("ran on job-2 with ${{ literal }}", await LogAsync(id));

        // Harbor's hook body: job_id, status, metadata with the job's stats; revisions ascending, ending in success.
        var bodies = await Eventually.Until(
            () => Task.FromResult(receiver.Delivered.Select(r => JsonNode.Parse(r.Body)!).ToList()),
            b => b.Count > 0 && b[^1]["status"]!.GetValue<string>() == "Success", Wait, "the success hook");
        Assert.All(bodies, b => Assert.Equal(id, b["job_id"]!.GetValue<string>()));
        Assert.All(bodies, b => Assert.Equal("script", b["metadata"]!["name"]!.GetValue<string>()));
        var revisions = bodies.Select(b => b["revision"]!.GetValue<long>()).ToList();
        Assert.Equal(revisions.Order().Distinct(), revisions);
        Assert.Equal("Running", bodies[0]["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Submit_BuiltinHttp_TheAgentMakesTheRequestAndChecksTheStatus()
    {
        // The secured API itself answers 401 without the secret: expecting 401 makes the job succeed, 2xx makes it fail.
        var url = fixture.Jobs.BaseAddress + "api/v1/stats";
        const string jsonSecret = "json-h3ader-s3cret";
        const string paramSecret = "param-h3ader-s3cret";
        const string urlSecret = "url-pa55word-s3cret";
        var (_, expected) = await SubmitAsync(new
        {
            name = "http",
            parameters = new { url, host = "job-1", expect_status = "401", headers = new Dictionary<string, string> { ["Accept"] = "application/json", ["X-Probe-Json"] = jsonSecret } },
            metadata = new { kind = "Generic" },
        });
        var userInfoUrl = url.Replace("://", $"://probe:{urlSecret}@", StringComparison.Ordinal);
        var (_, unexpected) = await SubmitAsync(new
        {
            name = "http",
            parameters = new Dictionary<string, object> { ["url"] = userInfoUrl, ["host"] = "job-1", ["header.X-Probe"] = paramSecret },
            metadata = new { kind = "Generic" },
        });

        var expectedId = expected["id"]!.GetValue<string>();
        var unexpectedId = unexpected["id"]!.GetValue<string>();
        Assert.Equal("Success", (await WaitForJobAsync(expectedId, "Success", "Error"))["status"]!.GetValue<string>());
        Assert.Equal("Error", (await WaitForJobAsync(unexpectedId, "Success", "Error"))["status"]!.GetValue<string>());

        // Header values and the URL's password are secret parameters: masked in the job's parameters and in its log.
        var expectedJob = await GetJobAsync(expectedId);
        var unexpectedJob = await GetJobAsync(unexpectedId);
        Assert.DoesNotContain(jsonSecret, expectedJob.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("***", expectedJob["parameters"]!["headers"]!.GetValue<string>());
        Assert.Equal("***", expectedJob["parameters"]!["header_X_Probe_Json"]!.GetValue<string>());
        Assert.DoesNotContain(paramSecret, unexpectedJob.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(urlSecret, unexpectedJob.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("***", unexpectedJob["parameters"]!["header_X_Probe"]!.GetValue<string>());
        Assert.Equal(url.Replace("://", "://***@", StringComparison.Ordinal), unexpectedJob["parameters"]!["url"]!.GetValue<string>());
        var expectedLog = await LogAsync(expectedId);
        var unexpectedLog = await LogAsync(unexpectedId);
        Assert.Contains("> X-Probe-Json: ***", expectedLog, StringComparison.Ordinal);
        Assert.DoesNotContain(jsonSecret, expectedLog, StringComparison.Ordinal);
        Assert.Contains("> X-Probe: ***", unexpectedLog, StringComparison.Ordinal);
        Assert.Contains("://***@", unexpectedLog, StringComparison.Ordinal);
        Assert.DoesNotContain(paramSecret, unexpectedLog, StringComparison.Ordinal);
        Assert.DoesNotContain(urlSecret, unexpectedLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_Scheduled_WaitsForTheDelayOnTheClockThenRuns()
    {
        var (status, accepted) = await SubmitAsync(new
        {
            name = "script",
            parameters = new { host = "job-1", script = "echo delayed" },
            metadata = new { kind = "Scheduled", schedule_delay = 60 },
        });

        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = accepted["id"]!.GetValue<string>();
        var waiting = await GetJobAsync(id);
        Assert.Equal("Scheduled", waiting["status"]!.GetValue<string>());
        Assert.Equal("Scheduled", waiting["kind"]!.GetValue<string>());
        Assert.Equal(60, waiting["run_at"]!.GetValue<long>() - waiting["enqueue_time"]!.GetValue<long>());

        await fixture.AdvanceAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("Scheduled", (await GetJobAsync(id))["status"]!.GetValue<string>());

        await fixture.AdvanceAsync(TimeSpan.FromSeconds(41));
        var done = await WaitForJobAsync(id, "Success", "Error");
        Assert.Equal("Success", done["status"]!.GetValue<string>());
        Assert.Contains("delayed", await LogAsync(id));
    }

    [Fact]
    public async Task Cancel_ScheduledJobBeforeItStarts_EndsCancelled()
    {
        var (_, accepted) = await SubmitAsync(new
        {
            name = "script",
            parameters = new { host = "job-1", script = "echo never" },
            metadata = new { kind = "Scheduled", schedule_delay = 3600 },
        });
        var id = accepted["id"]!.GetValue<string>();

        using var cancel = await ActAsync(id, "cancel");

        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        var job = await WaitForJobAsync(id, "Cancelled");
        Assert.Equal("", await LogAsync(id));
        using var again = await ActAsync(id, "cancel");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("Cancelled", job["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Submit_UniqueWhileTheSameJobRuns_IsRefusedUntilItEnds()
    {
        var gate = Gate();
        var job = new
        {
            name = "script",
            parameters = new { host = "job-1", script = WaitFor(gate) },
            metadata = new { kind = "Generic", unique = true },
        };
        var (first, accepted) = await SubmitAsync(job);
        Assert.Equal(HttpStatusCode.Accepted, first);
        var id = accepted["id"]!.GetValue<string>();
        Assert.True((await GetJobAsync(id))["unique"]!.GetValue<bool>());

        var (duplicate, refused) = await SubmitAsync(job);
        Assert.Equal(HttpStatusCode.Conflict, duplicate);
        Assert.Equal(409, refused["code"]!.GetValue<int>());
        Assert.Contains(id, refused["description"]!.GetValue<string>());

        // Different parameters are a different job.
        var (other, otherAccepted) = await SubmitAsync(new { job.name, parameters = new { host = "job-2", script = "echo other" }, job.metadata });
        Assert.Equal(HttpStatusCode.Accepted, other);

        await File.WriteAllTextAsync(gate, "go");
        await WaitForJobAsync(id, "Success");
        var (after, _) = await SubmitAsync(job);
        Assert.Equal(HttpStatusCode.Accepted, after);
        await WaitForJobAsync(otherAccepted["id"]!.GetValue<string>(), "Success");
    }

    [Fact]
    public async Task Stop_RunningJob_EndsStoppedAndShowsItsCheckIn()
    {
        var gate = Gate();
        var (_, accepted) = await SubmitAsync(new
        {
            name = "script",
            parameters = new { host = "job-1", script = "echo '::progress 30% copying layers'\n" + WaitFor(gate) },
            metadata = new { kind = "Generic" },
        });
        var id = accepted["id"]!.GetValue<string>();

        var running = await Eventually.Until(() => GetJobAsync(id), j => j["check_in"] is not null, Wait, $"job {id} check-in");
        Assert.Equal("Running", running["status"]!.GetValue<string>());
        Assert.Equal("30% copying layers", running["check_in"]!.GetValue<string>());
        Assert.True(running["check_in_at"]!.GetValue<long>() > 0);

        using var stop = await ActAsync(id, "stop");

        Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
        Assert.Equal("Stopped", (await WaitForJobAsync(id, "Stopped", "Cancelled", "Error"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_RunningJob_EndsCancelled()
    {
        var gate = Gate();
        var (_, accepted) = await SubmitAsync(new
        {
            name = "script",
            parameters = new { host = "job-2", script = "echo started\n" + WaitFor(gate) },
            metadata = new { kind = "Generic" },
        });
        var id = accepted["id"]!.GetValue<string>();
        await Eventually.Until(() => LogAsync(id), log => log.Contains("started", StringComparison.Ordinal), Wait, $"job {id} started");

        using var cancel = await ActAsync(id, "cancel");

        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        Assert.Equal("Cancelled", (await WaitForJobAsync(id, "Stopped", "Cancelled", "Error"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Retry_FailedJob_RunsTheFailedStepAgain()
    {
        var marker = Path.Combine(fixture.Scratch, "marker-" + Guid.NewGuid().ToString("N")[..8]);
        var (_, accepted) = await SubmitAsync(new
        {
            name = "script",
            parameters = new { host = "job-1", script = $"if [ -f {marker} ]; then echo second try; else touch {marker}; echo first try; exit 3; fi" },
            metadata = new { kind = "Generic" },
        });
        var id = accepted["id"]!.GetValue<string>();
        Assert.Equal("Error", (await WaitForJobAsync(id, "Error", "Success"))["status"]!.GetValue<string>());

        using var retry = await ActAsync(id, "retry");

        Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
        Assert.Equal("Success", (await WaitForJobAsync(id, "Success"))["status"]!.GetValue<string>());
        var log = await LogAsync(id);
        Assert.True(log.IndexOf("first try", StringComparison.Ordinal) < log.IndexOf("second try", StringComparison.Ordinal), log);
        using var again = await ActAsync(id, "retry");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("status Error", (await ErrorAsync(again))["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Log_JobOnTwoHosts_PrefixesEachLineWithItsHost()
    {
        var (_, accepted) = await SubmitAsync(new
        {
            name = "script",
            parameters = new { host = new[] { "job-1", "job-2" }, script = "echo line one\necho line two" },
            metadata = new { kind = "Generic" },
        });
        var id = accepted["id"]!.GetValue<string>();
        await WaitForJobAsync(id, "Success");

        using var response = await Jobs.GetAsync($"/api/v1/jobs/{id}/log");

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var log = await response.Content.ReadAsStringAsync();
        Assert.Contains("[job-1] line one\n[job-1] line two", log);
        Assert.Contains("[job-2] line one\n[job-2] line two", log);
    }

    [Fact]
    public async Task Stats_ListsTheLiveSiloAsAHealthyWorkerPool()
    {
        using var response = await Jobs.GetAsync("/api/v1/stats");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pool = Assert.Single(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray())!;
        Assert.Equal("healthy", pool["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(pool["worker_pool_id"]!.GetValue<string>()));
        Assert.True(pool["heartbeat_at"]!.GetValue<long>() >= pool["started_at"]!.GetValue<long>());
        Assert.Contains("script", pool["job_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(2, pool["concurrency"]!.GetValue<int>());
    }

    public static TheoryData<string, string> BadSubmissions => new()
    {
        { """{"job": {"metadata": {"kind": "Generic"}}}""", "job.name" },
        { """{"job": {"name": "script", "metadata": {"kind": "Sometimes"}, "parameters": {"host": "job-1", "script": "true"}}}""", "job.metadata.kind" },
        { """{"job": {"name": "script", "metadata": {"kind": "Scheduled"}, "parameters": {"host": "job-1", "script": "true"}}}""", "job.metadata.schedule_delay" },
        { """{"job": {"name": "script", "metadata": {"kind": "Scheduled", "schedule_delay": -5}, "parameters": {"host": "job-1", "script": "true"}}}""", "job.metadata.schedule_delay" },
        { """{"job": {"name": "script", "metadata": {"kind": "Periodic"}, "parameters": {"host": "job-1", "script": "true"}}}""", "job.metadata.cron_spec" },
        { """{"job": {"name": "script", "metadata": {"kind": "Periodic", "cron_spec": "61 * * * * *"}, "parameters": {"host": "job-1", "script": "true"}}}""", "job.metadata.cron_spec" },
        { """{"job": {"name": "script", "metadata": {"kind": "Generic"}, "status_hook": "ftp://x", "parameters": {"host": "job-1", "script": "true"}}}""", "job.status_hook" },
        { """{"job": {"name": "script", "metadata": {"kind": "Generic"}, "parameters": {"script": "true"}}}""", "job.parameters.host" },
        { """{"job": {"name": "script", "metadata": {"kind": "Generic"}, "parameters": {"host": "job-1", "script": "true", "interpreter": "cobol"}}}""", "job.parameters.interpreter" },
        { """{"job": {"name": "script", "metadata": {"kind": "Generic"}, "parameters": {"host": "job-1", "script": {"nested": 1}}}}""", "job.parameters.script" },
        { """{"job": {"name": "http", "metadata": {"kind": "Generic"}, "parameters": {"url": "not a url"}}}""", "job.parameters.url" },
        { """{"job": {"name": "no-such-plan", "metadata": {"kind": "Generic"}}}""", "job.name" },
        { """{"job": {"name": "script", "metadata": {"kind": "Generic", "unique": "yes"}, "parameters": {"host": "job-1", "script": "true"}}}""", "job.metadata.unique" },
        { """not json""", "body" },
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task Submit_BadInput_Is400NamingTheField(string body, string field)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Jobs.PostAsync("/api/v1/jobs", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Equal(400, error["code"]!.GetValue<int>());
        Assert.Contains(field, error["err"]!.GetValue<string>());
        Assert.StartsWith(field + ":", error["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Submit_StoredPlanWithUnknownParameter_Is400NamingIt()
    {
        var plan = await H.PutPlanAsync("""
            name: strict
            steps:
              - name: s
                script:
                  source: "true"
                targets:
                  hosts: [job-1]
            """);

        var (status, error) = await SubmitAsync(new { name = plan, parameters = new { bogus = "1" }, metadata = new { kind = "Generic" } });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("job.parameters.bogus", error["err"]!.GetValue<string>());
    }

    [Fact]
    public async Task Act_UnknownJobOrAction_Is404Or400()
    {
        using (var unknown = await ActAsync(Guid.NewGuid().ToString("N"), "stop"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal(404, (await ErrorAsync(unknown))["code"]!.GetValue<int>());
        }
        using (var badAction = await ActAsync(Guid.NewGuid().ToString("N"), "pause"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badAction.StatusCode);
            Assert.Contains("action", (await ErrorAsync(badAction))["err"]!.GetValue<string>());
        }
        using var missing = await Jobs.GetAsync($"/api/v1/jobs/{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Auth_WithoutOrWithAWrongSecret_Is401InHarborsShape_WithTheRightOneWorks()
    {
        using (var none = await fixture.Anonymous.GetAsync("/api/v1/stats"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal(401, (await ErrorAsync(none))["code"]!.GetValue<int>());
        }
        using (var noHeader = await fixture.Anonymous.PostAsJsonAsync("/api/v1/jobs", new { job = new { name = "script", parameters = new { host = "job-1", script = "true" } } }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noHeader.StatusCode);
            Assert.Equal("unauthorized", (await ErrorAsync(noHeader))["err"]!.GetValue<string>());
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs") { Content = JsonContent.Create(new { job = new { name = "script" } }) };
        request.Headers.TryAddWithoutValidation("Authorization", "Harbor-Secret wrong");
        using var wrong = await fixture.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(401, (await ErrorAsync(wrong))["code"]!.GetValue<int>());
        using var right = await Jobs.GetAsync("/api/v1/stats");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task Auth_NoSecretConfigured_TheJobsApiIsClosed()
    {
        // The harness's API has no jobs secret set: every jobs call is refused, whatever the header says.
        using (var stats = await H.Http.GetAsync("/api/v1/stats"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stats.StatusCode);
            Assert.Contains("no jobs secret is configured", (await ErrorAsync(stats))["description"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        using var submit = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs")
        {
            Content = JsonContent.Create(new { job = new { name = "script", parameters = new { host = "job-1", script = "echo should-not-run" } } }),
        };
        submit.Headers.TryAddWithoutValidation("Authorization", "Harbor-Secret ");
        using var refused = await H.Http.SendAsync(submit);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(401, (await ErrorAsync(refused))["code"]!.GetValue<int>());
    }

    private string Gate() => Path.Combine(fixture.Scratch, "gate-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A script line that waits (at most a minute) for the test to create the gate file.</summary>
    private static string WaitFor(string gate) => $"i=0; while [ ! -f {gate} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; echo released";

    private async Task<(HttpStatusCode Status, JsonNode Body)> SubmitAsync(object job)
    {
        using var response = await Jobs.PostAsJsonAsync("/api/v1/jobs", new { job });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (response.StatusCode, body["job"] ?? body);
    }

    private async Task<JsonNode> GetJobAsync(string id)
    {
        using var response = await Jobs.GetAsync($"/api/v1/jobs/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET job {id}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["job"]!;
    }

    private Task<JsonNode> WaitForJobAsync(string id, params string[] statuses) =>
        Eventually.Until(() => GetJobAsync(id), j => statuses.Contains(j["status"]!.GetValue<string>()), Wait, $"job {id} {string.Join("|", statuses)}");

    private async Task<HttpResponseMessage> ActAsync(string id, string action) =>
        await Jobs.PostAsJsonAsync($"/api/v1/jobs/{id}", new { action });

    private async Task<string> LogAsync(string id)
    {
        using var response = await Jobs.GetAsync($"/api/v1/jobs/{id}/log");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET log {id}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static async Task<JsonNode> ErrorAsync(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
}
