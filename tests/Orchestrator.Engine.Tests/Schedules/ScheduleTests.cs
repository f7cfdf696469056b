using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit;
using static Orchestrator.Engine.Tests.Schedules.ScheduleCalls;

namespace Orchestrator.Engine.Tests.Schedules;

/// <summary>
/// Schedules end to end on a clock the test moves: overlap policies, suspend and resume, starting deadlines, catch-up
/// after a silo outage, history limits, run now, time zones with daylight saving, and bad input. Each test deletes its
/// schedules, so the ones after it can move the clock freely.
/// </summary>
[Collection(ScheduleCollection.Name)]
public sealed class ScheduleTests(ScheduleFixture fixture)
{
    private static readonly TimeSpan Ten = TimeSpan.FromMinutes(10);

    private EngineHarness H => fixture.Harness;

    private ManualTimeProvider Clock => fixture.Clock;

    private async Task<string> GatePlanAsync() => await H.PutPlanAsync(ScheduleFixture.GatePlan);

    private static string RunAt(JsonNode schedule, DateTimeOffset due) =>
        Runs(schedule).Single(r => r!["dueTime"]?.GetValue<DateTimeOffset>() == due)!["instanceId"]!.GetValue<string>();

    private static bool HasRunFor(JsonNode schedule, DateTimeOffset due) => Runs(schedule).Any(r => r!["dueTime"]?.GetValue<DateTimeOffset>() == due);

    [Fact]
    public async Task Forbid_SkipsAFireWhileTheRunIsGoing_AndFiresAgainOnceItEnded()
    {
        var plan = await GatePlanAsync();
        await H.PutScheduleAsync(plan, "s", new { cron = "*/10 * * * *", overlap = "forbid" });
        var first = Clock.NextMark(Ten, 0);
        Clock.AdvanceTo(first.AddSeconds(1));
        var s = await H.WaitForScheduleAsync(plan, "s", x => HasRunFor(x, first), "first run");
        var run1 = RunAt(s, first);

        Clock.AdvanceTo(first + Ten + TimeSpan.FromSeconds(1));
        s = await H.WaitForScheduleAsync(plan, "s", x => SkipReasons(x).Contains("overlap"), "second fire skipped");
        Assert.Single(Runs(s));
        var skipped = Skipped(s).Single()!;
        Assert.Equal(first + Ten, skipped["dueTime"]!.GetValue<DateTimeOffset>());
        Assert.Contains(run1, skipped["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        await H.DecideAsync(run1, approve: true);
        await H.WaitForScheduleAsync(plan, "s", x => !Active(x).Any(), "run 1 reported finished");
        Clock.AdvanceTo(first + 2 * Ten + TimeSpan.FromSeconds(1));
        s = await H.WaitForScheduleAsync(plan, "s", x => HasRunFor(x, first + 2 * Ten), "third fire runs");
        Assert.Equal(2, Runs(s).Count);
        Assert.Equal(1, s["skipped"]!.GetValue<long>());
        await H.DeleteScheduleAsync(plan, "s");
    }

    [Fact]
    public async Task Allow_StartsOverlappingRuns()
    {
        var plan = await GatePlanAsync();
        await H.PutScheduleAsync(plan, "s", new { cron = "*/10 * * * *", overlap = "allow" });
        var first = Clock.NextMark(Ten, 0);
        Clock.AdvanceTo(first + TimeSpan.FromSeconds(1));
        await H.WaitForScheduleAsync(plan, "s", x => Active(x).Count() == 1, "first run");
        Clock.AdvanceTo(first + Ten + TimeSpan.FromSeconds(1));
        var s = await H.WaitForScheduleAsync(plan, "s", x => Active(x).Count() == 2, "two runs going at once");
        Assert.Empty(Skipped(s));
        await H.DeleteScheduleAsync(plan, "s");
    }

    [Fact]
    public async Task Replace_CancelsTheRunningOne_AndStartsTheNew()
    {
        var plan = await GatePlanAsync();
        await H.PutScheduleAsync(plan, "s", new { concurrencyPolicy = "Replace", schedule = "*/10 * * * *" }); // Kubernetes' names
        var first = Clock.NextMark(Ten, 0);
        Clock.AdvanceTo(first.AddSeconds(1));
        var s = await H.WaitForScheduleAsync(plan, "s", x => HasRunFor(x, first), "first run");
        var run1 = RunAt(s, first);
        await H.WaitForInstanceAsync(run1, ScheduleFixture.Wait, "waitingForApproval");

        Clock.AdvanceTo(first + Ten + TimeSpan.FromSeconds(1));
        s = await H.WaitForScheduleAsync(plan, "s", x => HasRunFor(x, first + Ten) && !Active(x).Contains(run1), "second run replaced the first");
        var cancelled = await H.WaitForInstanceAsync(run1, ScheduleFixture.Wait, "cancelled");
        Assert.Contains("replaced by the run due at", cancelled.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal([RunAt(s, first + Ten)], Active(s));
        await H.DeleteScheduleAsync(plan, "s");
    }

    [Fact]
    public async Task BufferOne_KeepsTheLatestFireWaiting_AndStartsItWhenTheRunEnds()
    {
        var plan = await GatePlanAsync();
        await H.PutScheduleAsync(plan, "s", new { cron = "*/10 * * * *", overlap = "bufferOne" });
        var first = Clock.NextMark(Ten, 0);
        Clock.AdvanceTo(first.AddSeconds(1));
        var s = await H.WaitForScheduleAsync(plan, "s", x => HasRunFor(x, first), "first run");
        var run1 = RunAt(s, first);

        Clock.AdvanceTo(first + Ten + TimeSpan.FromSeconds(1));
        await H.WaitForScheduleAsync(plan, "s", x => x["buffered"]?.GetValue<DateTimeOffset>() == first + Ten, "second fire buffered");
        Clock.AdvanceTo(first + 2 * Ten + TimeSpan.FromSeconds(1));
        s = await H.WaitForScheduleAsync(plan, "s", x => x["buffered"]?.GetValue<DateTimeOffset>() == first + 2 * Ten, "third fire took the buffer");
        var replaced = Skipped(s).Single()!;
        Assert.Equal("overlap", replaced["reason"]!.GetValue<string>());
        Assert.Equal(first + Ten, replaced["dueTime"]!.GetValue<DateTimeOffset>());

        await H.DecideAsync(run1, approve: true);
        s = await H.WaitForScheduleAsync(plan, "s", x => HasRunFor(x, first + 2 * Ten), "buffered fire started when run 1 ended");
        Assert.Null(s["buffered"]);
        Assert.Equal(2, Runs(s).Count);
        await H.DeleteScheduleAsync(plan, "s");
    }

    [Fact]
    public async Task StartingDeadline_SkipsABufferedFireThatWaitedTooLong()
    {
        var plan = await GatePlanAsync();
        await H.PutScheduleAsync(plan, "s", new { cron = "*/10 * * * *", overlap = "bufferOne", startingDeadline = "5m" });
        var first = Clock.NextMark(Ten, 0);
        Clock.AdvanceTo(first.AddSeconds(1));
        var s = await H.WaitForScheduleAsync(plan, "s", x => HasRunFor(x, first), "first run");
        var run1 = RunAt(s, first);
        Clock.AdvanceTo(first + Ten + TimeSpan.FromSeconds(1));
        await H.WaitForScheduleAsync(plan, "s", x => x["buffered"] is not null, "second fire buffered");

        Clock.AdvanceTo(first + Ten + TimeSpan.FromMinutes(6));
        await H.DecideAsync(run1, approve: true);
        s = await H.WaitForScheduleAsync(plan, "s", x => SkipReasons(x).Contains("deadlinePassed"), "buffered fire past its deadline");
        Assert.Single(Runs(s));
        Assert.Empty(Active(s));
        Assert.Contains("starting deadline is 300s", Skipped(s)[0]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await H.DeleteScheduleAsync(plan, "s");
    }

    [Fact]
    public async Task SuspendAndResume_RecordTheFiresPassedWhileSuspended()
    {
        var plan = await GatePlanAsync();
        await H.PutScheduleAsync(plan, "s", new { cron = "*/10 * * * *", overlap = "allow" });
        using (var suspend = await H.ControlAsync($"/api/v1/plans/{plan}/schedules/s/suspend"))
        {
            Assert.Equal(HttpStatusCode.OK, suspend.StatusCode);
        }
        var s = await H.GetScheduleAsync(plan, "s");
        Assert.True(s["spec"]!["suspend"]!.GetValue<bool>());
        Assert.Null(s["nextDue"]);

        var first = Clock.NextMark(Ten, 0);
        Clock.AdvanceTo(first + 2 * Ten + TimeSpan.FromMinutes(5));
        using (var resume = await H.ControlAsync($"/api/v1/plans/{plan}/schedules/s/resume"))
        {
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        }
        s = await H.GetScheduleAsync(plan, "s");
        Assert.Empty(Runs(s));
        Assert.Equal(["suspended", "suspended", "suspended"], SkipReasons(s));
        Assert.Equal(first + 3 * Ten, s["nextDue"]!.GetValue<DateTimeOffset>());

        Clock.AdvanceTo(first + 3 * Ten + TimeSpan.FromSeconds(1));
        await H.WaitForScheduleAsync(plan, "s", x => HasRunFor(x, first + 3 * Ten), "fires again after resume");
        await H.DeleteScheduleAsync(plan, "s");
    }

    [Fact]
    public async Task CatchUp_AfterAThreeHourOutage_None_Latest_And_AllWithinTheWindow()
    {
        var plan = await GatePlanAsync();
        await H.PutScheduleAsync(plan, "none", new { cron = "*/10 * * * *", overlap = "allow", catchUp = "none" });
        await H.PutScheduleAsync(plan, "latest", new { cron = "*/10 * * * *", overlap = "allow", catchUp = "latest" });
        await H.PutScheduleAsync(plan, "all", new { cron = "*/10 * * * *", overlap = "forbid", catchUp = "all", catchUpWindow = "2h" });
        var start = Clock.GetUtcNow();
        var first = Clock.NextMark(Ten, 0);

        // The only silo dies; three hours pass with nobody to fire anything; a new silo starts.
        await H.Cluster.KillSiloAsync(H.Cluster.RunningSilos.Single());
        Clock.AdvanceTo(first + TimeSpan.FromHours(3) - Ten + TimeSpan.FromMinutes(5));
        await H.Cluster.StartSiloAsync();
        await H.Cluster.WaitForStableAsync(ScheduleFixture.Wait);
        var missed = Enumerable.Range(0, 18).Select(i => first + i * Ten).ToList(); // 18 due times, all more than a minute old

        var none = await H.WaitForScheduleAsync(plan, "none", x => x["skipped"]!.GetValue<long>() == 18, "none: all 18 skipped");
        Assert.Empty(Runs(none));
        Assert.All(SkipReasons(none), r => Assert.Equal("missed", r));
        Assert.Equal(missed, Skipped(none).Select(x => x!["dueTime"]!.GetValue<DateTimeOffset>()).Order());

        var latest = await H.WaitForScheduleAsync(plan, "latest", x => Runs(x).Count == 1 && x["skipped"]!.GetValue<long>() == 17, "latest: one run, 17 skipped");
        Assert.Equal("catchUp", Runs(latest)[0]!["trigger"]!.GetValue<string>());
        Assert.Equal(missed[^1], Runs(latest)[0]!["dueTime"]!.GetValue<DateTimeOffset>());

        // All, window 2 h, forbid: the 12 due times within the window run one after another, in order; 6 are too old.
        var all = await H.WaitForScheduleAsync(plan, "all", x => Runs(x).Count == 1, "all: first caught-up run");
        Assert.Equal(6, SkipReasons(all).Count(r => r == "beyondCatchUpWindow"));
        Assert.Equal(11, all["backlog"]!.AsArray().Count);
        var order = new List<DateTimeOffset>();
        for (var i = 0; i < 12; i++)
        {
            all = await H.WaitForScheduleAsync(plan, "all", x => Runs(x).Count == i + 1 && Active(x).Count() == 1, $"all: caught-up run {i + 1}");
            var run = Runs(all)[0]!; // newest first
            order.Add(run["dueTime"]!.GetValue<DateTimeOffset>());
            await H.DecideAsync(run["instanceId"]!.GetValue<string>(), approve: true);
        }
        Assert.Equal(missed[6..], order);
        Assert.True(start < first);
        foreach (var name in new[] { "none", "latest", "all" })
        {
            await H.DeleteScheduleAsync(plan, name);
        }
    }

    [Fact]
    public async Task HistoryLimits_KeepTheNewestFinishedRuns()
    {
        var plan = await GatePlanAsync();
        await H.PutScheduleAsync(plan, "s", new { cron = "*/10 * * * *", successfulJobsHistoryLimit = 1, failedHistoryLimit = 1 });
        var first = Clock.NextMark(Ten, 0);
        var outcomes = new[] { true, true, false, false };
        var ids = new List<string>();
        for (var i = 0; i < outcomes.Length; i++)
        {
            Clock.AdvanceTo(first + i * Ten + TimeSpan.FromSeconds(1));
            var s = await H.WaitForScheduleAsync(plan, "s", x => HasRunFor(x, first + i * Ten), $"run {i + 1}");
            ids.Add(RunAt(s, first + i * Ten));
            await H.DecideAsync(ids[^1], outcomes[i]);
            await H.WaitForScheduleAsync(plan, "s", x => !Active(x).Any(), $"run {i + 1} reported finished");
        }
        var done = await H.WaitForScheduleAsync(plan, "s", x => Runs(x).Count(r => r!["deleted"]!.GetValue<bool>()) == 2, "two runs beyond the limits");
        var deleted = Runs(done).Where(r => r!["deleted"]!.GetValue<bool>()).Select(r => r!["instanceId"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(new[] { ids[0], ids[2] }.Order(), deleted);
        await H.WaitForInstanceAsync(ids[0], ScheduleFixture.Wait, "absent");
        await H.WaitForInstanceAsync(ids[2], ScheduleFixture.Wait, "absent");
        Assert.Equal("succeeded", EngineHarness.StatusOf(await H.GetInstanceAsync(ids[1])));
        Assert.Equal("failed", EngineHarness.StatusOf(await H.GetInstanceAsync(ids[3])));
        await H.DeleteScheduleAsync(plan, "s");
    }

    [Fact]
    public async Task RunNow_StartsARunOutsideTheSchedule_EvenWhileOneIsGoing()
    {
        var plan = await GatePlanAsync();
        await H.PutScheduleAsync(plan, "s", new { cron = "0 0 1 1 *", overlap = "forbid" });
        using var first = await H.ControlAsync($"/api/v1/plans/{plan}/schedules/s/run");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var second = await H.ControlAsync($"/api/v1/plans/{plan}/schedules/s/run");
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var id = JsonNode.Parse(await second.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var s = await H.WaitForScheduleAsync(plan, "s", x => Active(x).Count() == 2, "two manual runs");
        Assert.All(Runs(s), r => Assert.Equal("manual", r!["trigger"]!.GetValue<string>()));
        var instance = await H.WaitForInstanceAsync(id, ScheduleFixture.Wait, "waitingForApproval");
        Assert.Equal($"{plan}/s", instance["schedule"]!.GetValue<string>());
        await H.DeleteScheduleAsync(plan, "s");
    }

    [Fact]
    public async Task DaylightSaving_NewYork_SpringForwardFiresOnce_AtTheTransition_AndFallBackFiresOnce()
    {
        var plan = await GatePlanAsync();
        Clock.SetUtcNow(new DateTimeOffset(2030, 3, 9, 12, 0, 0, TimeSpan.Zero));
        await H.PutScheduleAsync(plan, "spring", new { cron = "30 2 * * *", timeZone = "America/New_York", overlap = "allow" });
        // 02:30 does not exist on 2030-03-10 (02:00 EST -> 03:00 EDT at 07:00Z): one fire at the transition.
        Clock.SetUtcNow(new DateTimeOffset(2030, 3, 10, 6, 59, 0, TimeSpan.Zero));
        Clock.AdvanceTo(new DateTimeOffset(2030, 3, 10, 7, 0, 1, TimeSpan.Zero));
        await H.WaitForScheduleAsync(plan, "spring", x => HasRunFor(x, new DateTimeOffset(2030, 3, 10, 7, 0, 0, TimeSpan.Zero)), "fire at the transition");
        Clock.SetUtcNow(new DateTimeOffset(2030, 3, 11, 6, 29, 0, TimeSpan.Zero));
        Clock.AdvanceTo(new DateTimeOffset(2030, 3, 11, 6, 30, 1, TimeSpan.Zero));
        var s = await H.WaitForScheduleAsync(plan, "spring", x => Runs(x).Count == 2, "02:30 EDT next day");
        Assert.Equal(new DateTimeOffset(2030, 3, 11, 6, 30, 0, TimeSpan.Zero), Runs(s)[0]!["dueTime"]!.GetValue<DateTimeOffset>());
        Assert.Empty(Skipped(s));
        await H.DeleteScheduleAsync(plan, "spring");

        // 01:30 happens twice on 2030-11-03 (EDT at 05:30Z, EST at 06:30Z): one fire, in the first pass.
        Clock.SetUtcNow(new DateTimeOffset(2030, 11, 3, 5, 0, 0, TimeSpan.Zero));
        await H.PutScheduleAsync(plan, "fall", new { cron = "30 1 * * *", timeZone = "America/New_York", overlap = "allow" });
        Clock.AdvanceTo(new DateTimeOffset(2030, 11, 3, 5, 30, 1, TimeSpan.Zero));
        await H.WaitForScheduleAsync(plan, "fall", x => Runs(x).Count >= 1, "fall-back fire");
        Clock.AdvanceTo(new DateTimeOffset(2030, 11, 3, 6, 31, 0, TimeSpan.Zero)); // 01:30 EST: no second fire
        s = await H.WaitForScheduleAsync(plan, "fall", x => x["lastDue"]!.GetValue<DateTimeOffset>() == new DateTimeOffset(2030, 11, 3, 5, 30, 0, TimeSpan.Zero), "fall-back state");
        Assert.Equal(new DateTimeOffset(2030, 11, 3, 5, 30, 0, TimeSpan.Zero), Runs(s).Single()!["dueTime"]!.GetValue<DateTimeOffset>());
        Assert.Equal(new DateTimeOffset(2030, 11, 4, 6, 30, 0, TimeSpan.Zero), s["nextDue"]!.GetValue<DateTimeOffset>());
        await H.DeleteScheduleAsync(plan, "fall");
    }

    [Theory]
    [InlineData("Asia/Shanghai", "0 1 * * *", "2030-06-01T00:00:00Z", "2030-06-01T17:00:00Z,2030-06-02T17:00:00Z,2030-06-03T17:00:00Z")]
    [InlineData("America/New_York", "30 2 * * *", "2030-03-09T00:00:00Z", "2030-03-09T07:30:00Z,2030-03-10T07:00:00Z,2030-03-11T06:30:00Z")]
    [InlineData("Europe/London", "30 1 * * *", "2030-10-26T12:00:00Z", "2030-10-27T00:30:00Z,2030-10-28T01:30:00Z,2030-10-29T01:30:00Z")]
    [InlineData("Australia/Sydney", "0 2 * * *", "2030-10-05T00:00:00Z", "2030-10-05T16:00:00Z,2030-10-06T15:00:00Z,2030-10-07T15:00:00Z")]
    [InlineData("UTC", "0 0 5 * * *", "2030-01-01T00:00:00Z", "2030-01-01T05:00:00Z,2030-01-02T05:00:00Z,2030-01-03T05:00:00Z")]
    public async Task Preview_GivesTheNextFireTimes_InTheZone(string zone, string cron, string from, string expected)
    {
        using var response = await H.Http.PostAsJsonAsync("/api/v1/schedules/preview", new { cron, timeZone = zone, count = 3, from = DateTimeOffset.Parse(from, CultureInfo.InvariantCulture) });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fires = body["fires"]!.AsArray().Select(f => f!["utc"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(expected.Split(',').Select(e => DateTimeOffset.Parse(e, CultureInfo.InvariantCulture)), fires);
    }

    [Theory]
    [InlineData("""{"cronn": "0 * * * *"}""", "cronn", "did you mean 'cron'")]
    [InlineData("""{"timeZone": "UTC"}""", "cron", "Required")]
    [InlineData("""{"cron": "*/70 * * * *"}""", "cron", "")]
    [InlineData("""{"cron": "0 1 * * *", "timeZone": "Mars/Olympus_Mons"}""", "timeZone", "")]
    [InlineData("""{"cron": "0 1 * * *", "startingDeadline": -5}""", "startingDeadline", "is not a duration from 1s to 366d")]
    [InlineData("""{"cron": "0 1 * * *", "overlap": "sometimes"}""", "overlap", "allow, forbid, replace, bufferOne")]
    [InlineData("""{"cron": "0 1 * * *", "catchUp": "everything"}""", "catchUp", "none, latest, all")]
    [InlineData("""{"cron": "0 1 * * *", "schedule": "0 2 * * *"}""", "schedule", "give one")]
    [InlineData("""{"cron": "0 1 * * *", "failedHistoryLimit": -1}""", "failedHistoryLimit", "from 0 to 1000")]
    [InlineData("""{"cron": "0 1 * * *", "parameters": {"nope": "x"}}""", "parameters.nope", "Unknown parameter")]
    [InlineData("""{"cron": "0 1 * * *", "statusHook": {"url": "ftp://x"}}""", "statusHook.url", "http or https")]
    public async Task BadInput_IsRefused_NamingTheField(string json, string field, string message)
    {
        var plan = await GatePlanAsync();
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await H.Http.PutAsync($"/api/v1/plans/{plan}/schedules/s", content);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = body["errors"]!.AsArray().First(e => e!["path"]!.GetValue<string>() == field)!;
        Assert.Contains(message, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        using var absent = await H.Http.GetAsync($"/api/v1/plans/{plan}/schedules/s");
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task DeleteThenCreateAgain_StartsAFreshSchedule_AndIfMatchGuardsUpdates()
    {
        var plan = await GatePlanAsync();
        await H.PutScheduleAsync(plan, "s", new { cron = "*/10 * * * *" });
        var first = Clock.NextMark(Ten, 0);
        Clock.AdvanceTo(first.AddSeconds(1));
        await H.WaitForScheduleAsync(plan, "s", x => HasRunFor(x, first), "a run");
        await H.DeleteScheduleAsync(plan, "s");
        using (var gone = await H.Http.GetAsync($"/api/v1/plans/{plan}/schedules/s"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        await H.PutScheduleAsync(plan, "s", new { cron = "0 3 * * *" });
        var s = await H.GetScheduleAsync(plan, "s");
        Assert.Equal(1, s["revision"]!.GetValue<int>());
        Assert.Empty(Runs(s));
        Assert.Empty(Active(s));

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/plans/{plan}/schedules/s") { Content = JsonContent.Create(new { cron = "0 4 * * *" }) };
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"7\""));
        using (var conflict = await H.Http.SendAsync(stale))
        {
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        }
        Assert.Equal("0 3 * * *", (await H.GetScheduleAsync(plan, "s"))["spec"]!["cron"]!.GetValue<string>());
        await H.DeleteScheduleAsync(plan, "s");
    }

    [Fact]
    public async Task SecretParameters_AreShownMasked()
    {
        var plan = await H.PutPlanAsync("""
            name: with-secret
            parameters:
              - name: token
                type: secret
              - name: region
            steps:
              - name: gate
                approval:
                  required: 1
            """);
        await H.PutScheduleAsync(plan, "s", new { cron = "0 3 * * *", parameters = new { token = "s3cr3t-value", region = "eu" }, statusHook = new { url = "http://127.0.0.1:9/h", secret = "hook-secret" } });
        var text = await H.Http.GetStringAsync($"/api/v1/plans/{plan}/schedules/s");
        Assert.DoesNotContain("s3cr3t-value", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-secret", text, StringComparison.Ordinal);
        var spec = JsonNode.Parse(text)!["spec"]!;
        Assert.Equal("***", spec["parameters"]!["token"]!.GetValue<string>());
        Assert.Equal("eu", spec["parameters"]!["region"]!.GetValue<string>());
        await H.DeleteScheduleAsync(plan, "s");
    }

    [Fact]
    public async Task AScheduleOnAMissingPlan_IsNotFound()
    {
        using var response = await H.Http.PutAsJsonAsync("/api/v1/plans/no-such-plan/schedules/s", new { cron = "0 1 * * *" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
