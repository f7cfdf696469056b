using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit;

namespace Orchestrator.Engine.Tests.Schedules;

/// <summary>Runs at a time or after a delay: they wait in scheduled on the cluster's clock and can be cancelled until then.</summary>
[Collection(ScheduleCollection.Name)]
public sealed class DelayedRunTests(ScheduleFixture fixture)
{
    private EngineHarness H => fixture.Harness;

    private ManualTimeProvider Clock => fixture.Clock;

    private async Task<string> RunAsync(string plan, object body)
    {
        using var response = await H.Http.PostAsJsonAsync($"/api/v1/plans/{plan}/run", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"run: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task Delay_WaitsOnTheClock_ThenStarts()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var id = await RunAsync(plan, new { delay = "5m" });
        var waiting = await H.WaitForInstanceAsync(id, ScheduleFixture.Wait, "scheduled");
        var notBefore = waiting["notBefore"]!.GetValue<DateTimeOffset>();
        Assert.Equal(Clock.GetUtcNow().AddMinutes(5), notBefore, TimeSpan.FromSeconds(5));
        Assert.Null(waiting["startedAt"]);

        Clock.AdvanceTo(notBefore.AddSeconds(-30));
        Assert.Equal("scheduled", EngineHarness.StatusOf(await H.GetInstanceAsync(id)));

        Clock.AdvanceTo(notBefore.AddSeconds(1));
        var started = await H.WaitForInstanceAsync(id, ScheduleFixture.Wait, "waitingForApproval");
        Assert.True(started["startedAt"]!.GetValue<DateTimeOffset>() >= notBefore);
    }

    [Fact]
    public async Task At_CancelledBeforeItStarts_EndsCancelled_AndNeverRuns()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var at = Clock.GetUtcNow().AddHours(2);
        var id = await RunAsync(plan, new { at });
        await H.WaitForInstanceAsync(id, ScheduleFixture.Wait, "scheduled");
        using (var cancel = await H.ControlAsync($"/api/v1/task-instances/{id}/cancel", new { reason = "not tonight" }))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
        var cancelled = await H.WaitForInstanceAsync(id, ScheduleFixture.Wait, "cancelled");
        Clock.AdvanceTo(at.AddMinutes(1));
        cancelled = await H.GetInstanceAsync(id);
        Assert.Equal("cancelled", EngineHarness.StatusOf(cancelled));
        Assert.Null(cancelled["startedAt"]);
        Assert.DoesNotContain(cancelled["actions"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "start");
        Assert.Equal("pending", EngineHarness.StepStatus(cancelled, 0));
    }

    [Theory]
    [InlineData("""{"delay": "soon"}""", "delay")]
    [InlineData("""{"delay": "-5m"}""", "delay")]
    [InlineData("""{"delay": "5m", "at": "2030-01-01T00:00:00Z"}""", "delay")]
    [InlineData("""{"delay": "3000000d"}""", "delay")]
    [InlineData("""{"at": "2999-01-01T00:00:00Z"}""", "at")]
    public async Task BadTiming_Is400NamingTheField(string json, string field)
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await H.Http.PostAsync($"/api/v1/plans/{plan}/run", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains(body["errors"]!.AsArray(), e => e!["path"]!.GetValue<string>() == field);
    }
}
