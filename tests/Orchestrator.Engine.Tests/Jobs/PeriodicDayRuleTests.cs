using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Engine.Tests.Jobs;

/// <summary>
/// A Harbor cron_spec means what it means in Harbor (robfig/cron): with both day fields restricted, a day matches if
/// either does, so "0 0 9 13 * 5" is due every Friday and every 13th, not only on Friday the 13th. Periodic jobs
/// saved before the day rule existed: <c>Schedules/LegacyDayRuleTests</c>.
/// </summary>
[Collection(JobsCollection.Name)]
public sealed class PeriodicDayRuleTests(JobsFixture fixture)
{
    [Fact]
    public async Task Periodic_CronSpecWithDayOfMonthAndDayOfWeek_IsDueOnEither()
    {
        // Both day fields restricted, chosen from the clock so that the rules give different dates: the day-of-week of
        // the next 09:00 (so under either that 09:00 is due) and a day-of-month that is not its day (so under both it
        // is not). The fixture's clock follows the real date, which no fixed expression could be sure to tell apart.
        var now = fixture.Clock.GetUtcNow();
        var next = NextAtNine(now, _ => true);
        var dayOfMonth = next.Day % 28 + 1;
        var dayOfWeek = (int)next.DayOfWeek;
        var either = NextAtNine(now, d => d.Day == dayOfMonth || (int)d.DayOfWeek == dayOfWeek);
        var both = NextAtNine(now, d => d.Day == dayOfMonth && (int)d.DayOfWeek == dayOfWeek);
        Assert.Equal(next, either);
        Assert.NotEqual(either, both);

        using var submitted = await fixture.Jobs.PostAsJsonAsync("/api/v1/jobs", new
        {
            job = new
            {
                name = "script",
                parameters = new { host = "job-day-rule", script = "true" },
                metadata = new { kind = "Periodic", cron_spec = $"0 0 9 {dayOfMonth} * {dayOfWeek}" },
            },
        });
        var text = await submitted.Content.ReadAsStringAsync();
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, $"{(int)submitted.StatusCode} {text}");
        var id = JsonNode.Parse(text)!["job"]!["id"]!.GetValue<string>();

        using var response = await fixture.Jobs.GetAsync($"/api/v1/jobs/{id}");
        var runAt = DateTimeOffset.FromUnixTimeSeconds(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["job"]!["run_at"]!.GetValue<long>());

        Assert.Equal(either, runAt);

        using var stop = await fixture.Jobs.PostAsJsonAsync($"/api/v1/jobs/{id}", new { action = "stop" });
        Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
    }

    /// <summary>The first 09:00 UTC strictly after <paramref name="after"/> on a day <paramref name="day"/> accepts.</summary>
    private static DateTimeOffset NextAtNine(DateTimeOffset after, Func<DateTimeOffset, bool> day)
    {
        var t = new DateTimeOffset(after.Year, after.Month, after.Day, 9, 0, 0, TimeSpan.Zero);
        while (t <= after || !day(t))
        {
            t = t.AddDays(1);
        }
        return t;
    }
}
