using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Hosting;

/// <summary>
/// The idempotency window through the HTTP API (PostgreSQL, one silo, a clock the test moves): a key is answered with
/// its first outcome for 24 h however many other commands reach the plan (past the 32 the plan keeps in state), and is
/// a new command after; the grain keeps only keyed outcomes it pushed out as index rows, and deletes them after the window.
/// </summary>
public sealed class IdempotencyWindowTests : IAsyncLifetime
{
    private const string Plan = """
        name: idem-window
        steps:
          - name: s
            script: "true"
            targets:
              hosts: [nowhere-1]
        """;

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero));
    private EngineHarness _h = null!;

    public async Task InitializeAsync() => _h = await EngineHarness.StartAsync(EngineStores.Postgres("idemwin"), silos: 1, _clock);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Retry_After70OtherCommandsOnThePlan_GetsTheFirstOutcome()
    {
        var plan = "w" + Guid.NewGuid().ToString("N")[..10];
        var saved = await PutAsync(plan, "save-key-1");
        var run = await RunAsync(plan, "run-key-1");

        for (var i = 0; i < 70; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1)); // a plan saved every minute for 70 minutes, without keys
            await PutAsync(plan, key: null);
        }

        Assert.Equal((HttpStatusCode.Created, 1), saved);
        Assert.Equal((HttpStatusCode.Created, 1), await PutAsync(plan, "save-key-1"));
        Assert.Equal(run, await RunAsync(plan, "run-key-1"));
        Assert.Equal((HttpStatusCode.OK, 72), await PutAsync(plan, "save-key-2"));
        // Only the two keyed outcomes the 70 saves pushed out of the plan's state became rows; unkeyed ones never do.
        Assert.Equal(2, (await RowsAsync(plan)).Count);
    }

    [Fact]
    public async Task Retry_AfterTheWindow_IsANewCommandAndExpiredRowsAreDeleted()
    {
        var plan = "w" + Guid.NewGuid().ToString("N")[..10];
        Assert.Equal((HttpStatusCode.Created, 1), await PutAsync(plan, "save-key-3"));
        for (var i = 0; i < 40; i++)
        {
            await PutAsync(plan, key: null);
        }
        Assert.Single(await RowsAsync(plan));
        _clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal((HttpStatusCode.Created, 1), await PutAsync(plan, "save-key-3"));

        _clock.Advance(TimeSpan.FromHours(3)); // 26 h after the first try: past the window and its hour of slack
        var again = await PutAsync(plan, "save-key-3");

        Assert.Equal((HttpStatusCode.OK, 42), again); // applied: a new version
        Assert.Empty(await RowsAsync(plan)); // that command deleted the expired row in its own write
        Assert.Equal(again, await PutAsync(plan, "save-key-3")); // and its outcome is kept as the first one was
    }

    [Fact]
    public async Task Run_SameKeyAfterTheWindow_NamesTheSameInstanceWhichDoesNotStartAgain()
    {
        var plan = "w" + Guid.NewGuid().ToString("N")[..10];
        await PutAsync(plan, key: null);
        var first = await RunAsync(plan, "run-key-3");

        _clock.Advance(TimeSpan.FromHours(25));
        var again = await RunAsync(plan, "run-key-3");

        // A new command for the plan, but the instance id is derived from the key: the instance already has its start.
        Assert.Equal(first, again);
        var instance = await _h.GetInstanceAsync(first);
        Assert.Single(instance["actions"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "start");
    }

    private Task<IReadOnlyList<IndexRow>> RowsAsync(string plan) =>
        _h.Database.Indexes.QueryAsync(new IndexQuery(IndexKinds.Request, [$"plan/{plan}"]) { Limit = 1000 });

    private async Task<(HttpStatusCode, int)> PutAsync(string plan, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/plans/{plan}") { Content = new StringContent(Plan, Encoding.UTF8, "application/yaml") };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        using var response = await _h.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT: {(int)response.StatusCode} {body}");
        return (response.StatusCode, JsonNode.Parse(body)!["version"]!.GetValue<int>());
    }

    private async Task<string> RunAsync(string plan, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/plans/{plan}/run") { Content = JsonContent.Create(new { }) };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await _h.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"run: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }
}
