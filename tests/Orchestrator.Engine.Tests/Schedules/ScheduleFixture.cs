using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit;

namespace Orchestrator.Engine.Tests.Schedules;

/// <summary>
/// A PostgreSQL cluster (one silo) with the API, on a clock only the tests move, starting at a fixed instant so due
/// times are known. Runs of the schedules are of a plan whose only step waits for an approval, so a test decides when
/// each run ends (approve: succeeded, reject: failed) and no agent is needed.
/// </summary>
public sealed class ScheduleFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Epoch = new(2030, 1, 7, 0, 0, 1, TimeSpan.Zero);

    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    public const string GatePlan = """
        name: gate
        steps:
          - name: gate
            approval:
              required: 1
        """;

    public EngineHarness Harness { get; private set; } = null!;

    public ManualTimeProvider Clock { get; } = new(Epoch);

    public async Task InitializeAsync() => Harness = await EngineHarness.StartAsync(EngineStores.Postgres("sched"), silos: 1, Clock);

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ScheduleCollection : ICollectionFixture<ScheduleFixture>
{
    public const string Name = "schedules";
}

/// <summary>Calls the schedules API and moves the clock.</summary>
public static class ScheduleCalls
{
    public static async Task PutScheduleAsync(this EngineHarness h, string planId, string name, object body)
    {
        using var response = await h.Http.PutAsJsonAsync($"/api/v1/plans/{planId}/schedules/{name}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"PUT schedule: {(int)response.StatusCode} {text}");
    }

    public static async Task<JsonNode> GetScheduleAsync(this EngineHarness h, string planId, string name) =>
        JsonNode.Parse(await h.Http.GetStringAsync($"/api/v1/plans/{planId}/schedules/{name}?preview=3"))!;

    /// <summary>
    /// Waits until the schedule satisfies <paramref name="done"/>. A 503 (the schedule's grain unreachable for a moment
    /// after its silo died, as documented) is read as "not yet".
    /// </summary>
    public static async Task<JsonNode> WaitForScheduleAsync(this EngineHarness h, string planId, string name, Func<JsonNode, bool> done, string what) =>
        (await Eventually.Until(
            async () =>
            {
                try
                {
                    return await h.GetScheduleAsync(planId, name);
                }
                catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    return null;
                }
            },
            s => s is not null && done(s),
            ScheduleFixture.Wait,
            $"schedule {planId}/{name}: {what}"))!;

    public static JsonArray Runs(JsonNode schedule) => schedule["runs"]!.AsArray();

    public static JsonArray Skipped(JsonNode schedule) => schedule["skippedFires"]!.AsArray();

    public static IEnumerable<string> SkipReasons(JsonNode schedule) => Skipped(schedule).Select(s => s!["reason"]!.GetValue<string>());

    public static IEnumerable<string> Active(JsonNode schedule) => schedule["active"]!.AsArray().Select(a => a!.GetValue<string>());

    /// <summary>Moves the clock to the given offset from the fixture's epoch-aligned start, in steps of at most a minute.</summary>
    public static void AdvanceTo(this ManualTimeProvider clock, DateTimeOffset to)
    {
        while (clock.GetUtcNow() < to)
        {
            var next = clock.GetUtcNow().AddMinutes(1);
            clock.SetUtcNow(next < to ? next : to);
        }
    }

    /// <summary>The next instant at <paramref name="second"/> seconds past a multiple of <paramref name="period"/> (from the fixture's epoch).</summary>
    public static DateTimeOffset NextMark(this ManualTimeProvider clock, TimeSpan period, int second = 1)
    {
        var now = clock.GetUtcNow();
        var ticks = (now.UtcTicks / period.Ticks + 1) * period.Ticks;
        return new DateTimeOffset(ticks, TimeSpan.Zero).AddSeconds(second);
    }

    public static async Task DecideAsync(this EngineHarness h, string instanceId, bool approve)
    {
        await h.WaitForInstanceAsync(instanceId, ScheduleFixture.Wait, "waitingForApproval");
        using var response = await h.ControlAsync($"/api/v1/task-instances/{instanceId}/steps/0/{(approve ? "approve" : "reject")}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await h.WaitForInstanceAsync(instanceId, ScheduleFixture.Wait, approve ? "succeeded" : "failed");
    }

    public static async Task DeleteScheduleAsync(this EngineHarness h, string planId, string name)
    {
        using var response = await h.Http.DeleteAsync($"/api/v1/plans/{planId}/schedules/{name}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
