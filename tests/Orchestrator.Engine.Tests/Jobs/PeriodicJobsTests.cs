using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Jobs;

/// <summary>Periodic jobs: a schedule whose runs are the job's executions, on the fixture's clock.</summary>
[Collection(JobsCollection.Name)]
public sealed class PeriodicJobsTests(JobsFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private HttpClient Jobs => fixture.Jobs;

    [Fact]
    public async Task Periodic_FiresExecutionsThatNameTheirUpstream_UntilStopped()
    {
        using var submitted = await Jobs.PostAsJsonAsync("/api/v1/jobs", new
        {
            job = new
            {
                name = "script",
                parameters = new { host = "job-1", script = "echo tick from $ORCH_TASK_ID" },
                metadata = new { kind = "Periodic", cron_spec = "0 * * * * *" },
            },
        });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["job"]!["id"]!.GetValue<string>();

        var periodic = await GetJobAsync(id);
        Assert.Equal("Scheduled", periodic["status"]!.GetValue<string>());
        Assert.Equal("Periodic", periodic["kind"]!.GetValue<string>());
        Assert.Equal("0 * * * * *", periodic["cron_spec"]!.GetValue<string>());
        Assert.True(periodic["multiple_executions"]!.GetValue<bool>());
        var first = NextMinute();
        Assert.Equal(first.ToUnixTimeSeconds(), periodic["run_at"]!.GetValue<long>());

        await fixture.AdvanceToAsync(first.AddSeconds(1));
        var execution = (await WaitForExecutionsAsync(id, 1))[0];
        // The schedule lists a run as soon as it sends the start; the instance exists once the start is applied.
        var run = (await Eventually.Until(() => TryGetJobAsync(execution), j => j?["status"]!.GetValue<string>() is "Success" or "Error", Wait, $"execution {execution}"))!;
        Assert.Equal("Success", run["status"]!.GetValue<string>());
        Assert.Equal(id, run["upstream_job_id"]!.GetValue<string>());
        Assert.Contains($"tick from {execution}", await LogAsync(execution));

        await fixture.AdvanceToAsync(first.AddMinutes(1).AddSeconds(1));
        var executions = await WaitForExecutionsAsync(id, 2);
        Assert.Contains(execution, executions);

        using var stop = await Jobs.PostAsJsonAsync($"/api/v1/jobs/{id}", new { action = "stop" });
        Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
        Assert.Equal("Stopped", (await GetJobAsync(id))["status"]!.GetValue<string>());
        using var log = await Jobs.GetAsync($"/api/v1/jobs/{id}/log");
        Assert.Equal(HttpStatusCode.BadRequest, log.StatusCode);
        using var cancel = await Jobs.PostAsJsonAsync($"/api/v1/jobs/{id}", new { action = "cancel" });
        Assert.Equal(HttpStatusCode.NotImplemented, cancel.StatusCode);
    }

    [Fact]
    public async Task Periodic_Unique_IsRefusedWhileTheFirstExists_AndAcceptedOnceItIsStopped()
    {
        var job = new
        {
            job = new
            {
                name = "script",
                parameters = new { host = "job-2", script = "echo unique tick" },
                metadata = new { kind = "Periodic", cron_spec = "0 0 3 * * *", unique = true },
            },
        };
        using var first = await Jobs.PostAsJsonAsync("/api/v1/jobs", job);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var id = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["job"]!["id"]!.GetValue<string>();

        using (var duplicate = await Jobs.PostAsJsonAsync("/api/v1/jobs", job))
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        }
        using (var stop = await Jobs.PostAsJsonAsync($"/api/v1/jobs/{id}", new { action = "stop" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
        }
        using var again = await Jobs.PostAsJsonAsync("/api/v1/jobs", job);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var second = JsonNode.Parse(await again.Content.ReadAsStringAsync())!["job"]!["id"]!.GetValue<string>();
        using var cleanup = await Jobs.PostAsJsonAsync($"/api/v1/jobs/{second}", new { action = "stop" });
        Assert.Equal(HttpStatusCode.NoContent, cleanup.StatusCode);
    }

    private DateTimeOffset NextMinute()
    {
        var now = fixture.Clock.GetUtcNow();
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
    }

    private async Task<IReadOnlyList<string>> WaitForExecutionsAsync(string id, int count)
    {
        var job = await Eventually.Until(() => GetJobAsync(id), j => j["executions"]!.AsArray().Count >= count, Wait, $"{count} executions of {id}");
        return [.. job["executions"]!.AsArray().Select(e => e!.GetValue<string>())];
    }

    private async Task<JsonNode> GetJobAsync(string id)
    {
        using var response = await Jobs.GetAsync($"/api/v1/jobs/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET job {id}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["job"]!;
    }

    private async Task<JsonNode?> TryGetJobAsync(string id)
    {
        using var response = await Jobs.GetAsync($"/api/v1/jobs/{id}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync())!["job"];
    }

    private async Task<string> LogAsync(string id)
    {
        using var response = await Jobs.GetAsync($"/api/v1/jobs/{id}/log");
        return await response.Content.ReadAsStringAsync();
    }
}
