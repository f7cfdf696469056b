using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.HostOperations;

/// <summary>
/// A host whose agent has been offline longer than <c>StaleHostAfter</c> leaves the inventory on the orchestrator clock
/// (its grain keeps the history), and comes back when an agent registers it again. Its own cluster: the test moves the
/// clock, which would take other tests' hosts offline.
/// </summary>
public sealed class StaleHostTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StaleHost_OfflineLongerThanTheSetting_LeavesTheInventoryWithItsHistory_AndComesBackWhenRegistered()
    {
        var clock = new ManualTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await EngineHarness.StartAsync(EngineStores.Sqlite(), clock: clock, durable: d => d.SweepInterval = TimeSpan.FromMilliseconds(200),
            retention: r => (r.InstanceRetention, r.LogRetention, r.AuditRetention, r.FileRetention, r.StaleHostAfter) =
                (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromDays(1)));
        var agent = h.StartAgent("stale-1");
        await h.WaitForHostsAsync("stale-1");
        agent.Kill();

        // Liveness checks every 30 s of the clock: two without a heartbeat take the host offline. Each step waits for
        // its check to be made (the host goes offline after now, or went), since a check the clock jumped past is skipped.
        var grain = h.Client.GetGrain<IHostGrain>("stale-1");
        for (var step = 0; step < 6 && await StatusAsync(h, "stale-1") != HostStatus.Offline; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(30));
            var now = clock.GetUtcNow();
            await Eventually.Until(grain.GetAsync, v => v!.Status == HostStatus.Offline || v.OfflineAt > now, Wait, $"the liveness check at {now:O}");
        }
        Assert.Equal(HostStatus.Offline, await StatusAsync(h, "stale-1"));
        var offline = JsonNode.Parse(await h.Http.GetStringAsync("/api/v1/hosts/stale-1"))!;

        clock.Advance(TimeSpan.FromHours(23));
        var early = await h.Client.GetGrain<IHostGrain>("stale-1").GetAsync();
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        await Eventually.Until(() => h.Client.Indexes.GetAsync(IndexKinds.Host, "", ["stale-1"]), rows => rows.Count == 0, Wait, "stale-1 removed from the inventory");
        var list = JsonNode.Parse(await h.Http.GetStringAsync("/api/v1/hosts"))!["items"]!.AsArray().Select(i => i!["host"]!.GetValue<string>()).ToList();
        var history = JsonNode.Parse(await h.Http.GetStringAsync("/api/v1/hosts/stale-1"))!;

        Assert.Null(early!.RemovedAt); // a day had not passed yet
        Assert.DoesNotContain("stale-1", list);
        Assert.NotNull(history["removedAt"]);
        Assert.Equal(offline["registeredAt"]!.GetValue<DateTimeOffset>(), history["registeredAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(offline["lastSeen"]!.GetValue<DateTimeOffset>(), history["lastSeen"]!.GetValue<DateTimeOffset>());
        Assert.True(history["removedAt"]!.GetValue<DateTimeOffset>() - history["lastSeen"]!.GetValue<DateTimeOffset>() >= TimeSpan.FromDays(1));

        h.StartAgent("stale-1");
        await h.WaitForHostsAsync("stale-1");
        var back = JsonNode.Parse(await h.Http.GetStringAsync("/api/v1/hosts/stale-1"))!;
        var listed = JsonNode.Parse(await h.Http.GetStringAsync("/api/v1/hosts"))!["items"]!.AsArray().Select(i => i!["host"]!.GetValue<string>()).ToList();

        Assert.Null(back["removedAt"]);
        Assert.Equal("online", back["status"]!.GetValue<string>());
        Assert.Contains("stale-1", listed);
    }

    private static async Task<HostStatus> StatusAsync(EngineHarness h, string host) =>
        (HostStatus)(await h.Client.Indexes.GetAsync(IndexKinds.Host, "", [host])).Single().Status;
}
