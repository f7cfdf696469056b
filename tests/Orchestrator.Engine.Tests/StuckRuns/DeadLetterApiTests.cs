using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Plans.Model;

namespace Orchestrator.Engine.Tests.StuckRuns;

/// <summary>
/// Parked messages through the API: <c>GET /api/v1/dead-letters</c> lists them (never their arguments),
/// <c>POST /api/v1/dead-letters/{id}/replay</c> delivers one again through Orleans.
/// </summary>
[Collection(StuckRunCollection.Name)]
public sealed class DeadLetterApiTests(StuckRunFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private EngineHarness H => fixture.Harness;

    [Fact]
    public async Task ListAndReplay_AParkedStart_IsListedWithoutArguments_AndReplayDeliversAndRemovesIt()
    {
        // A selector an older version let through: the step's start throws on every attempt and is parked.
        var plan = await fixture.PutUnvalidatedPlanAsync(new PlanDefinition
        {
            Name = "stuck",
            Steps = [StuckRunFixture.Script("broken") with { Targets = new TargetSpec { Selector = "role in (web" } }],
        });
        var id = await H.RunAsync(plan);
        await fixture.RetryUntilAsync(id, Wait, "failed");

        var letter = (await ListAsync()).Single(l => l!["grainKey"]!.GetValue<string>() == $"{id}:0");
        Assert.Equal(("step", "Start"), (letter!["grainType"]!.GetValue<string>(), letter["method"]!.GetValue<string>()));
        Assert.Null(letter["argumentsJson"]);
        var messageId = letter["messageId"]!.GetValue<long>();

        using var replay = await H.Http.PostAsync($"/api/v1/dead-letters/{messageId}/replay", null);
        var body = await replay.Content.ReadAsStringAsync();

        // The failed run's step takes the start again without throwing (it ignores a start of an attempt that ended):
        // delivered, so the letter is gone, and a second replay finds nothing.
        Assert.True(replay.StatusCode == HttpStatusCode.OK, $"{(int)replay.StatusCode} {body}");
        Assert.DoesNotContain(await ListAsync(), l => l!["messageId"]!.GetValue<long>() == messageId);
        using var again = await H.Http.PostAsync($"/api/v1/dead-letters/{messageId}/replay", null);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Replay_UnknownOrBadId_Is404Or400()
    {
        using var unknown = await H.Http.PostAsync("/api/v1/dead-letters/999999999/replay", null);
        using var bad = await H.Http.PostAsync("/api/v1/dead-letters/abc/replay", null);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"id\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_BadLimit_IsRefusedNamingIt()
    {
        using var response = await H.Http.GetAsync("/api/v1/dead-letters?limit=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("limit", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<JsonArray> ListAsync() =>
        JsonNode.Parse(await H.Http.GetStringAsync("/api/v1/dead-letters?limit=1000"))!["items"]!.AsArray();
}
