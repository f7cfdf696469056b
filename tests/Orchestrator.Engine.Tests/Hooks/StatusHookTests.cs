using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Hooks;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Engine.Tests.Hooks;

/// <summary>
/// Status hooks end to end: task instances driven through the API post their status changes to a real HTTP
/// receiver; back-offs run on the test's clock.
/// </summary>
public sealed class StatusHookTests(StatusHookFixture fixture) : IClassFixture<StatusHookFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Two approvals: enough status changes (running, waiting, waiting on the second, succeeded) without an agent.</summary>
    private const string TwoGates = """
        name: gated-hooks
        steps:
          - name: first
            approval:
              approvers: [alice]
              required: 1
              timeout: 24h
              onTimeout: reject
          - name: second
            approval:
              approvers: [alice]
              required: 1
              timeout: 24h
              onTimeout: reject
        """;

    private EngineHarness H => fixture.Harness;

    [Fact]
    public async Task Publish_HealthyReceiver_PostsEachRevisionSignedInOrder()
    {
        await using var receiver = await HookReceiver.StartAsync();
        const string secret = "s3cret-for-a";

        var (id, last) = await RunToEndAsync(new { url = receiver.Url, secret });
        var delivered = await WaitDeliveredAsync(receiver, last);

        Assert.Equal(Enumerable.Range(1, (int)last).Select(r => (long)r), delivered.Select(d => d.Revision));
        Assert.All(receiver.Received, r => Assert.Equal(204, r.Answer)); // nothing was retried
        Assert.Equal(delivered.Count, delivered.Select(d => d.DeliveryId).Distinct().Count());
        foreach (var hook in delivered)
        {
            Assert.True(hook.SignedWith(secret), $"signature of r{hook.Revision}");
            // The timestamp and the delivery id are signed: replayed under a fresh timestamp or another id, it fails.
            var later = (long.Parse(hook.Timestamp, System.Globalization.CultureInfo.InvariantCulture) + 600).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.False((hook with { Timestamp = later }).SignedWith(secret));
            Assert.False((hook with { DeliveryId = new string('0', 32) }).SignedWith(secret));
            Assert.NotEqual(BodyOnlySignature(secret, hook.Body), hook.Signature);
            Assert.StartsWith("application/json", hook.ContentType, StringComparison.Ordinal);
            Assert.Equal(HookSubjects.Instance(id), hook.Subject);
            Assert.True(long.TryParse(hook.Timestamp, out _), $"timestamp '{hook.Timestamp}'");
            var body = JsonNode.Parse(hook.Body)!;
            Assert.Equal("taskInstance.status", body["type"]!.GetValue<string>());
            Assert.Equal(id, body["id"]!.GetValue<string>());
            Assert.Equal(hook.Revision, body["revision"]!.GetValue<long>());
        }
        Assert.Equal("running", Status(delivered[0]));
        Assert.Equal("waitingForApproval", Status(delivered[1]));
        Assert.Equal("succeeded", Status(delivered[^1]));
        var steps = JsonNode.Parse(delivered[^1].Body)!["steps"]!.AsArray();
        Assert.Equal(["first", "second"], steps.Select(s => s!["name"]!.GetValue<string>()));
        Assert.All(steps, s => Assert.Equal("succeeded", s!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Publish_HookWithoutSecret_SignsWithTheDefaultSecret()
    {
        await using var receiver = await HookReceiver.StartAsync();

        var (_, last) = await RunToEndAsync(new { url = receiver.Url });
        var delivered = await WaitDeliveredAsync(receiver, last);

        Assert.All(delivered, d => Assert.True(d.SignedWith(StatusHookFixture.DefaultSecret), $"signature of r{d.Revision}"));
    }

    [Fact]
    public async Task Retry_ReceiverFailsFirstAttempts_DeliversEveryRevisionOnceInOrder()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.FailNext(3);

        var (id, last) = await RunToEndAsync(new { url = receiver.Url, secret = "b" });
        var delivered = await DriveClockUntilDeliveredAsync(receiver, last, TimeSpan.FromSeconds(2));

        Assert.Equal(Enumerable.Range(1, (int)last).Select(r => (long)r), delivered.Select(d => d.Revision));
        var attempts = receiver.Received;
        Assert.Equal(last + 3, attempts.Count);
        Assert.Equal(attempts.Select(a => a.Revision).Order(), attempts.Select(a => a.Revision)); // no revision overtakes a failing one
        Assert.Equal([503, 503, 503, 204], attempts.Where(a => a.Revision == 1).Select(a => a.Answer));
        Assert.All(attempts.GroupBy(a => a.Revision), g => Assert.Single(g.Select(a => a.DeliveryId).Distinct()));
        var view = await SettledViewAsync(id);
        Assert.Empty(view.Parked);
        Assert.Equal(4, view.Delivered[0].Attempts);
        Assert.Contains("503", view.Delivered[0].LastError ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(HookReceiver.RefusalBody, view.Delivered[0].LastError ?? "", StringComparison.Ordinal); // no response bodies kept
    }

    [Fact]
    public async Task Retry_ReceiverDownThenUp_GetsEveryRevisionInOrderOnceBack()
    {
        await using var receiver = await HookReceiver.StartAsync();
        await receiver.StopAsync();

        var (id, last) = await RunToEndAsync(new { url = receiver.Url, secret = "c" });
        // Through a few back-offs while nobody listens: the head is retried, nothing behind it is tried.
        var waiting = await Eventually.Until(async () =>
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(2));
            return await ViewAsync(id);
        }, v => v.Pending.Count == last && v.Pending[0].Attempts >= 4, Wait, "the head retried while the receiver is down");
        Assert.All(waiting.Pending.Skip(1), p => Assert.Equal(0, p.Attempts));
        Assert.NotNull(waiting.Pending[0].LastError);
        Assert.NotNull(waiting.Pending[0].NextAttemptAt);
        Assert.Empty(receiver.Received);

        await receiver.StartAgainAsync();
        var delivered = await DriveClockUntilDeliveredAsync(receiver, last, TimeSpan.FromSeconds(2));

        Assert.Equal(Enumerable.Range(1, (int)last).Select(r => (long)r), delivered.Select(d => d.Revision));
        Assert.Equal(delivered.Count, receiver.Received.Count); // once back, every POST succeeded first time
        var view = await SettledViewAsync(id);
        Assert.Empty(view.Parked);
        Assert.True(view.Delivered[0].Attempts >= 5, $"revision 1 took {view.Delivered[0].Attempts} attempts");
    }

    [Fact]
    public async Task Park_ReceiverAlwaysFails_ParksEveryEventThenReplayDelivers()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.FailWith = 500;

        var (id, last) = await RunToEndAsync(new { url = receiver.Url, secret = "d" });
        var subject = HookSubjects.Instance(id);
        await Eventually.Until(async () =>
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(10));
            return await ViewAsync(id);
        }, v => v.Parked.Count == last && v.Pending.Count == 0, Wait, "every event parked");

        // The instance's hook, through the API.
        var hook = JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/task-instances/{id}/hook"))!;
        var parked = hook["parked"]!.AsArray();
        Assert.Equal(Enumerable.Range(1, (int)last).Select(r => (long)r), parked.Select(p => p!["revision"]!.GetValue<long>()));
        Assert.All(parked, p => Assert.Contains("HTTP 500", p!["lastError"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(parked, p => Assert.DoesNotContain(HookReceiver.RefusalBody, p!["lastError"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(receiver.Received, r => Assert.Equal(500, r.Answer));
        Assert.All(parked, p => Assert.True(p!["attempts"]!.GetValue<int>() > 1));
        // The parked list across subjects, paged.
        var listed = (await ParkedListAsync()).Where(p => p["subject"]!.GetValue<string>() == subject).ToList();
        Assert.Equal(Enumerable.Range(1, (int)last).Select(r => (long)r), listed.Select(p => p["revision"]!.GetValue<long>()));
        Assert.All(listed, p => Assert.Equal(receiver.Url, p["url"]!.GetValue<string>()));
        Assert.All(listed, p => Assert.DoesNotContain(HookReceiver.RefusalBody, p["lastError"]!.GetValue<string>(), StringComparison.Ordinal));

        using (var bad = await H.ControlAsync($"/api/v1/task-instances/{id}/hook/replay", new { revision = 0 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
        using (var missing = await H.ControlAsync($"/api/v1/task-instances/{id}/hook/replay", new { revision = last + 5 }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        receiver.FailWith = null;
        var before = receiver.Received.Count;
        using (var one = await H.ControlAsync($"/api/v1/task-instances/{id}/hook/replay", new { revision = 2 }))
        {
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
            Assert.Equal(1, JsonNode.Parse(await one.Content.ReadAsStringAsync())!["replayed"]!.GetValue<int>());
        }
        await Eventually.Until(() => Task.FromResult(receiver.Delivered), d => d.Count == 1, Wait, "revision 2 replayed");
        Assert.Equal(2, receiver.Delivered[0].Revision);

        using (var all = await H.ControlAsync($"/api/v1/task-instances/{id}/hook/replay", new { }))
        {
            Assert.Equal(HttpStatusCode.OK, all.StatusCode);
            Assert.Equal(last - 1, JsonNode.Parse(await all.Content.ReadAsStringAsync())!["replayed"]!.GetValue<int>());
        }
        var delivered = await Eventually.Until(() => Task.FromResult(receiver.Delivered), d => d.Count == last, Wait, "every parked event replayed");

        Assert.Equal(new long[] { 2 }.Concat(Enumerable.Range(1, (int)last).Where(r => r != 2).Select(r => (long)r)), delivered.Select(d => d.Revision));
        var firstPost = receiver.Received.Take(before).ToLookup(r => r.Revision, r => r.DeliveryId);
        Assert.All(delivered, d => Assert.Contains(d.DeliveryId, firstPost[d.Revision])); // the same delivery id as before parking
        var view = await SettledViewAsync(id);
        Assert.Empty(view.Parked);
        Assert.DoesNotContain(await ParkedListAsync(), p => p["subject"]!.GetValue<string>() == subject);
        // A replay starts the attempt count (and so the back-off) again; the total keeps the attempts before parking.
        Assert.All(view.Delivered, d => Assert.Equal(1, d.Attempts));
        Assert.All(view.Delivered, d => Assert.True(d.TotalAttempts > 1, $"r{d.Revision}: {d.TotalAttempts} attempts in all"));
    }

    [Fact]
    public async Task Purge_InstanceDeleted_DropsParkedAndPendingEventsAndItsHookView()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.FailWith = 500;
        var (id, last) = await RunToEndAsync(new { url = receiver.Url, secret = "p" });
        var subject = HookSubjects.Instance(id);
        await Eventually.Until(async () =>
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(10));
            return await ViewAsync(id);
        }, v => v.Parked.Count == last && v.Pending.Count == 0, Wait, "every event parked");
        Assert.Contains(await ParkedListAsync(), p => p["subject"]!.GetValue<string>() == subject);
        // Half of them back in the queue, still failing: pending, with a retry reminder armed, when the instance goes.
        using (var replay = await H.ControlAsync($"/api/v1/task-instances/{id}/hook/replay", new { revision = 1 }))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/task-instances/{id}"))
        {
            using var deleted = await H.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await Eventually.Until(ParkedListAsync, l => !l.Any(p => p["subject"]!.GetValue<string>() == subject), Wait, "the parked rows of a deleted instance gone");
        using (var hook = await H.Http.GetAsync($"/api/v1/task-instances/{id}/hook"))
        {
            Assert.Equal(HttpStatusCode.NotFound, hook.StatusCode);
        }
        using (var replay = await H.ControlAsync($"/api/v1/task-instances/{id}/hook/replay", new { }))
        {
            Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
        }
        Assert.Null(await H.Client.GetGrain<IStatusHookGrain>(subject).GetAsync());
        // The dropped pending event is not tried again, and a late publish is ignored.
        var before = receiver.Received.Count;
        await H.Client.GetGrain<IStatusHookGrain>(subject).Publish(new HookEvent(new StatusHook(receiver.Url, "p"), last + 1, "{}", fixture.Clock.GetUtcNow()));
        for (var i = 0; i < 5; i++)
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(200);
        }
        Assert.Equal(before, receiver.Received.Count);
        Assert.Null(await H.Client.GetGrain<IStatusHookGrain>(subject).GetAsync());
    }

    [Fact]
    public async Task Delivery_BacklogOutlastsAnAttemptTimeout_GoesOnInANewTurn()
    {
        await using var receiver = await HookReceiver.StartAsync();
        await receiver.StopAsync();
        var (id, last) = await RunToEndAsync(new { url = receiver.Url, secret = "t" });
        await Eventually.Until(() => ViewAsync(id), v => v.Pending.Count == last && v.Pending[0].Attempts >= 1, Wait, "a backlog while the receiver is down");

        // Each POST takes a little over half an attempt timeout (1 h here) on the grain's clock, and records what was
        // committed when it arrived: a turn that has run past one attempt timeout makes no further attempt.
        var grain = H.Client.GetGrain<IStatusHookGrain>(HookSubjects.Instance(id));
        var committedAt = new System.Collections.Concurrent.ConcurrentDictionary<long, long[]>();
        receiver.OnReceive = async hook =>
        {
            var view = await grain.GetAsync();
            committedAt.TryAdd(hook.Revision, [.. view!.Delivered.Select(d => d.Revision)]);
            fixture.Clock.Advance(TimeSpan.FromMinutes(31));
        };
        await receiver.StartAgainAsync();
        var delivered = await DriveClockUntilDeliveredAsync(receiver, last, TimeSpan.FromSeconds(2));
        receiver.OnReceive = null;

        Assert.Equal(Enumerable.Range(1, (int)last).Select(r => (long)r), delivered.Select(d => d.Revision));
        Assert.DoesNotContain(1, committedAt[2]); // revisions 1 and 2 in one turn (62 min in by its end)
        Assert.Equal([1, 2], committedAt[3]); // then a new turn, after that one committed
        Assert.DoesNotContain(3, committedAt[4]);
    }

    [Fact]
    public async Task HookViews_UrlWithCredentials_ShowItRedacted()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.FailWith = 500;
        var url = receiver.Url.Replace("http://", "http://alice:hunter2@", StringComparison.Ordinal) + "?token=qs-secret";
        var shown = receiver.Url.Replace("http://", "http://***@", StringComparison.Ordinal) + "?token=***";

        var (id, last) = await RunToEndAsync(new { url, secret = "r" });
        await Eventually.Until(async () =>
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(10));
            return await ViewAsync(id);
        }, v => v.Parked.Count == last && v.Pending.Count == 0, Wait, "every event parked");

        var hook = await H.Http.GetStringAsync($"/api/v1/task-instances/{id}/hook");
        Assert.Equal(shown, JsonNode.Parse(hook)!["url"]!.GetValue<string>());
        var parked = (await ParkedListAsync()).Where(p => p["subject"]!.GetValue<string>() == HookSubjects.Instance(id)).ToList();
        Assert.Equal(last, parked.Count);
        Assert.All(parked, p => Assert.Equal(shown, p["url"]!.GetValue<string>()));
        string[] texts = [hook, .. parked.Select(p => p.ToJsonString()), await H.Http.GetStringAsync($"/api/v1/task-instances/{id}")];
        foreach (var text in texts)
        {
            Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
            Assert.DoesNotContain("qs-secret", text, StringComparison.Ordinal);
        }
        // The stored hook keeps the URL it posts to.
        Assert.Equal(url, (await ViewAsync(id)).Url);
    }

    [Fact]
    public async Task Run_InvalidStatusHook_IsRefusedNamingTheField()
    {
        var plan = await H.PutPlanAsync(TwoGates);
        using var response = await H.Http.PostAsJsonAsync($"/api/v1/plans/{plan}/run", new { statusHook = new { url = "ftp://example.com/x" } });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("statusHook.url", body, StringComparison.Ordinal);
    }

    /// <summary>Runs the two-gate plan with the hook, approves both gates, and returns the id and its last revision.</summary>
    private async Task<(string Id, long LastRevision)> RunToEndAsync(object statusHook)
    {
        var plan = await H.PutPlanAsync(TwoGates);
        using var response = await H.Http.PostAsJsonAsync($"/api/v1/plans/{plan}/run", new { statusHook });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"run: {(int)response.StatusCode} {text}");
        var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
        for (var step = 0; step < 2; step++)
        {
            await H.WaitForStepAsync(id, step, Wait, "waitingForApproval");
            using var approve = await H.ControlAsync($"/api/v1/task-instances/{id}/steps/{step}/approve", new { reason = "ok" }, user: "alice");
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }
        await H.WaitForInstanceAsync(id, Wait, "succeeded");
        var instance = await H.Client.GetGrain<ITaskInstanceGrain>(id).GetAsync();
        Assert.True(instance!.Revision >= 4, $"expected at least 4 status changes, saw {instance.Revision}");
        return (id, instance.Revision);
    }

    private static Task<IReadOnlyList<ReceivedHook>> WaitDeliveredAsync(HookReceiver receiver, long last) =>
        Eventually.Until(() => Task.FromResult(receiver.Delivered), d => d.Count >= last, Wait, $"{last} revisions delivered");

    /// <summary>Moves the clock a step per probe (back-offs are reminders on it) until every revision is delivered.</summary>
    private Task<IReadOnlyList<ReceivedHook>> DriveClockUntilDeliveredAsync(HookReceiver receiver, long last, TimeSpan step) =>
        Eventually.Until(() =>
        {
            fixture.Clock.Advance(step);
            return Task.FromResult(receiver.Delivered);
        }, d => d.Count >= last, Wait, $"{last} revisions delivered");

    private async Task<HookView> ViewAsync(string id) =>
        await H.Client.GetGrain<IStatusHookGrain>(HookSubjects.Instance(id)).GetAsync() ?? throw new InvalidOperationException($"No hook view for {id}.");

    /// <summary>The view once nothing is pending: the receiver sees a POST before the grain's turn commits it.</summary>
    private Task<HookView> SettledViewAsync(string id) =>
        Eventually.Until(() => ViewAsync(id), v => v.Pending.Count == 0, Wait, $"nothing pending for {id}");

    private async Task<List<JsonNode>> ParkedListAsync()
    {
        var all = new List<JsonNode>();
        string? after = null;
        do
        {
            var page = JsonNode.Parse(await H.Http.GetStringAsync("/api/v1/hooks/parked?limit=2" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after))))!;
            all.AddRange(page["items"]!.AsArray().Select(i => i!));
            after = page["next"]?.GetValue<string>();
        }
        while (after is not null);
        return all;
    }

    private static string Status(ReceivedHook hook) => JsonNode.Parse(hook.Body)!["status"]!.GetValue<string>();

    /// <summary>The signature before timestamps and delivery ids were signed: must not match any more.</summary>
    private static string BodyOnlySignature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}

/// <summary>A cluster (PostgreSQL, one silo, a clock the tests move) whose hooks retry on short, test-sized back-offs.</summary>
public sealed class StatusHookFixture : IAsyncLifetime
{
    public const string DefaultSecret = "the-silo-default";

    public EngineHarness Harness { get; private set; } = null!;

    public ManualTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection().AddStatusHooks(o =>
        {
            o.DefaultSecret = DefaultSecret;
            // The timeout runs on the test's clock, which the tests move in big steps: keep it out of their way.
            o.AttemptTimeout = TimeSpan.FromHours(1);
            o.InitialBackoff = TimeSpan.FromSeconds(1);
            o.MaxBackoff = TimeSpan.FromSeconds(8);
            o.MaxRetryDuration = TimeSpan.FromMinutes(2);
        }).BuildServiceProvider();
        Harness = await EngineHarness.StartAsync(EngineStores.Postgres("hooks"), silos: 1, Clock, services);
    }

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}
