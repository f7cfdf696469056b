using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Engine.Tests.Jobs;

/// <summary>
/// A Harbor cron_spec means what it means in Harbor (robfig/cron): with both day fields restricted, a day matches if
/// either does, so "0 0 9 13 * 5" is due every Friday and every 13th, not only on Friday the 13th.
/// </summary>
[Collection(JobsCollection.Name)]
public sealed class PeriodicDayRuleTests(JobsFixture fixture)
{
    [Fact]
    public async Task Periodic_CronSpecWithDayOfMonthAndDayOfWeek_IsDueOnEither()
    {
        using var submitted = await fixture.Jobs.PostAsJsonAsync("/api/v1/jobs", new
        {
            job = new
            {
                name = "script",
                parameters = new { host = "job-day-rule", script = "true" },
                metadata = new { kind = "Periodic", cron_spec = "0 0 9 13 * 5" },
            },
        });
        var text = await submitted.Content.ReadAsStringAsync();
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, $"{(int)submitted.StatusCode} {text}");
        var id = JsonNode.Parse(text)!["job"]!["id"]!.GetValue<string>();

        using var response = await fixture.Jobs.GetAsync($"/api/v1/jobs/{id}");
        var runAt = DateTimeOffset.FromUnixTimeSeconds(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["job"]!["run_at"]!.GetValue<long>());

        // The first 09:00 UTC after now on a Friday or a 13th, found by walking the days.
        var now = fixture.Clock.GetUtcNow();
        var day = new DateTimeOffset(now.Year, now.Month, now.Day, 9, 0, 0, TimeSpan.Zero);
        while (day <= now || (day.DayOfWeek != DayOfWeek.Friday && day.Day != 13))
        {
            day = day.AddDays(1);
        }
        Assert.Equal(day, runAt);

        using var stop = await fixture.Jobs.PostAsJsonAsync($"/api/v1/jobs/{id}", new { action = "stop" });
        Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
    }
}
