using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Validation;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Schedules;

/// <summary>
/// Delays as long as a reminder can wait, and longer: a run never starts before its time. A cluster of its own (SQLite,
/// one silo) because these tests move its clock by ten years.
/// </summary>
public sealed class LongDelayTests(LongDelayFixture fixture) : IClassFixture<LongDelayFixture>
{
    private EngineHarness H => fixture.Harness;

    private ManualTimeProvider Clock => fixture.Clock;

    [Fact]
    public async Task Delay_TheLongestTheApiTakes_StartsAtItsTime()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        using var response = await H.Http.PostAsJsonAsync($"/api/v1/plans/{plan}/run", new { delay = $"{PlanLimits.MaxDuration.TotalDays:0}d" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"run: {(int)response.StatusCode} {text}");
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
        var notBefore = (await H.WaitForInstanceAsync(id, ScheduleFixture.Wait, "scheduled"))["notBefore"]!.GetValue<DateTimeOffset>();

        Clock.AdvanceTo(notBefore.AddSeconds(1));

        var started = await WaitAsTheClockMovesAsync(id, "waitingForApproval");
        Assert.True(started["startedAt"]!.GetValue<DateTimeOffset>() >= notBefore);
        Assert.DoesNotContain(started["actions"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "wait");
    }

    [Fact]
    public async Task Start_NotBeforeLaterThanTheLongestReminderWait_WaitsAgainAndStartsAtItsTime()
    {
        // As a grain client may ask (the API refuses it): two days past the longest wait a reminder is given.
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var definition = (await H.Client.GetGrain<IPlanGrain>(plan).GetAsync(null))!.Definition;
        var now = Clock.GetUtcNow();
        var notBefore = now + PlanLimits.MaxDuration + TimeSpan.FromDays(2);
        var id = Guid.NewGuid().ToString("N");
        var instance = H.Client.GetGrain<ITaskInstanceGrain>(id);
        await instance.Start(new StartInstance(Guid.NewGuid().ToString("N"), plan, 1, definition, new Dictionary<string, string>(), "tester", now,
            new RunOptions { NotBefore = notBefore }));
        await H.WaitForInstanceAsync(id, ScheduleFixture.Wait, "scheduled");

        // The start reminder fires after the longest wait, two days early: the run waits again, and says so.
        Clock.AdvanceTo(now + PlanLimits.MaxDuration + TimeSpan.FromMinutes(1));
        var woken = await Eventually.Until(() => H.GetInstanceAsync(id),
            i => i["actions"]!.AsArray().Any(a => a!["action"]!.GetValue<string>() == "wait") || EngineHarness.StatusOf(i) != "scheduled",
            ScheduleFixture.Wait, $"instance {id} woken by its start reminder");
        Assert.Equal("scheduled", EngineHarness.StatusOf(woken));
        Assert.Null(woken["startedAt"]);

        Clock.AdvanceTo(notBefore.AddSeconds(1));

        var started = await WaitAsTheClockMovesAsync(id, "waitingForApproval");
        Assert.True(started["startedAt"]!.GetValue<DateTimeOffset>() >= notBefore);
    }

    /// <summary>
    /// Waits for the instance to reach <paramref name="status"/> while the clock goes on ticking (a second per poll), as
    /// it does in production: a turn or a delivery that failed under a loaded machine is retried after a back-off on
    /// this clock, which would otherwise stand still after the jump.
    /// </summary>
    private async Task<JsonNode> WaitAsTheClockMovesAsync(string id, string status) => await Eventually.Until(
        async () =>
        {
            var instance = await H.GetInstanceAsync(id);
            if (EngineHarness.StatusOf(instance) != status)
            {
                Clock.Advance(TimeSpan.FromSeconds(1));
            }
            return instance;
        },
        i => EngineHarness.StatusOf(i) == status,
        ScheduleFixture.Wait,
        $"instance {id} {status}");
}

/// <summary>One silo on SQLite, on a clock only the tests move.</summary>
public sealed class LongDelayFixture : IAsyncLifetime
{
    public ManualTimeProvider Clock { get; } = new(ScheduleFixture.Epoch);

    public EngineHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await EngineHarness.StartAsync(EngineStores.Sqlite(), silos: 1, Clock);

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}
