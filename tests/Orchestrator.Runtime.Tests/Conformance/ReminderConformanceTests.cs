using System.Globalization;
using Orchestrator.Runtime.Hosting;
using Orchestrator.Runtime.Reminders;
using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.TestGrains;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>
/// Reminders end to end through the store, on a clock the test moves: interval and cron schedules, time zones and
/// DST transitions, misfire policies, listing and changing reminders. Run on PostgreSQL and on SQLite.
/// </summary>
public abstract class ReminderConformanceTests : ClusterTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    [Fact]
    public async Task IntervalReminder_FiresEachDueTimeOnce_OnTheGrid()
    {
        var clock = new ManualTimeProvider(T0);
        await using var cluster = await StartClusterAsync(clock: clock);
        var grain = cluster.Client.GetGrain<IReminderGrain>("interval");

        await grain.StartInterval("r", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), MisfirePolicy.FireOnceNow);
        var ticks = await AdvanceThroughTicksAsync(clock, grain, TimeSpan.FromSeconds(10), 3);

        Assert.Equal([T0.AddSeconds(10), T0.AddSeconds(20), T0.AddSeconds(30)], ticks.Select(t => t.Due));
        Assert.All(ticks, t => Assert.Equal(0, t.Missed));
        Assert.Equal(T0.AddSeconds(40), (await grain.GetReminderList()).Single().NextDue);
    }

    [Fact]
    public async Task IntervalReminder_RegisteredAtASubMillisecondInstant_KeepsFiring()
    {
        // Regression: stored instants have millisecond precision; an anchor with finer ticks made the next due
        // time round back onto the one just fired, so the reminder fired once and never again.
        var start = T0.AddTicks(4_321);
        var clock = new ManualTimeProvider(start);
        await using var cluster = await StartClusterAsync(clock: clock);
        var grain = cluster.Client.GetGrain<IReminderGrain>("fine");

        await grain.StartInterval("r", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), MisfirePolicy.FireOnceNow);
        var due = (await AdvanceThroughTicksAsync(clock, grain, TimeSpan.FromSeconds(1), 3)).Select(t => t.Due).ToList();
        Assert.Equal([T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3)], due);
    }

    /// <summary>Once the reminder is registered, moves the clock one step at a time, waiting for each tick.</summary>
    private static async Task<List<Tick>> AdvanceThroughTicksAsync(ManualTimeProvider clock, IReminderGrain grain, TimeSpan step, int ticks)
    {
        await Eventually.Until(grain.GetReminderList, l => l.Count == 1, Wait, "reminder registered");
        for (var k = 1; k <= ticks; k++)
        {
            clock.Advance(step);
            await Eventually.Until(grain.GetTicks, t => t.Count == k, Wait, $"tick {k}");
        }
        return await grain.GetTicks();
    }

    public static TheoryData<string, string, string, string, string> CronCases => new()
    {
        // zone, expression, clock from, clock to, expected due times (UTC)
        { "Europe/London", "30 1 * * *", "2026-03-28T23:00Z", "2026-03-30T12:00Z", "2026-03-29T01:00Z 2026-03-30T00:30Z" }, // 01:30 does not exist: next valid instant
        { "Europe/London", "30 1 * * *", "2026-10-24T12:00Z", "2026-10-25T12:00Z", "2026-10-25T00:30Z" }, // repeated 01:30 fires once
        { "Europe/London", "*/30 1 * * *", "2026-10-24T12:00Z", "2026-10-25T12:00Z", "2026-10-25T00:00Z 2026-10-25T00:30Z 2026-10-25T01:00Z 2026-10-25T01:30Z" },
        { "America/New_York", "30 2 * * *", "2026-03-07T12:00Z", "2026-03-08T12:00Z", "2026-03-08T07:00Z" },
        { "America/New_York", "30 1 * * *", "2026-10-31T12:00Z", "2026-11-01T12:00Z", "2026-11-01T05:30Z" },
        { "America/New_York", "*/30 1 * * *", "2026-10-31T12:00Z", "2026-11-01T12:00Z", "2026-11-01T05:00Z 2026-11-01T05:30Z 2026-11-01T06:00Z 2026-11-01T06:30Z" },
        { "America/Santiago", "0 0 * * *", "2026-09-05T12:00Z", "2026-09-07T12:00Z", "2026-09-06T04:00Z 2026-09-07T03:00Z" }, // midnight does not exist on 09-06
        { "UTC", "0 0 12 * * *", "2026-01-01T00:00Z", "2026-01-02T00:00Z", "2026-01-01T12:00Z" }, // six fields
        { "UTC", "@hourly", "2026-01-01T00:30Z", "2026-01-01T03:00Z", "2026-01-01T01:00Z 2026-01-01T02:00Z 2026-01-01T03:00Z" },
    };

    [Theory]
    [MemberData(nameof(CronCases))]
    public async Task CronReminder_InTimeZone_FiresAtTheExpectedInstantsAcrossDst(string zone, string expression, string from, string to, string expected)
    {
        var clock = new ManualTimeProvider(Utc(from));
        await using var cluster = await StartClusterAsync(clock: clock, configure: o => o.MisfireThreshold = TimeSpan.FromDays(7));
        var grain = cluster.Client.GetGrain<IReminderGrain>("cron");
        var want = expected.Split(' ').Select(Utc).ToList();

        await grain.StartCron("c", expression, zone, MisfirePolicy.FireOnceNow);
        await Eventually.Until(grain.GetReminderList, l => l.Count == 1, Wait, "reminder registered");
        clock.SetUtcNow(Utc(to));
        var ticks = await Eventually.Until(grain.GetTicks, t => t.Count >= want.Count, Wait, $"{want.Count} ticks");

        Assert.Equal(want, ticks.Select(t => t.Due));
        Assert.True((await grain.GetReminderList()).Single().NextDue > Utc(to));
    }

    public static TheoryData<MisfirePolicy, int, string, int> MisfireCases => new()
    {
        // policy, catch-up window (min), expected due minutes after T0, missed count on the first tick
        { MisfirePolicy.FireOnceNow, 60, "10", 9 },
        { MisfirePolicy.Skip, 60, "", 0 },
        { MisfirePolicy.FireAll, 60, "1 2 3 4 5 6 7 8 9 10", 0 },
        { MisfirePolicy.FireAll, 5, "6 7 8 9 10", 5 },
    };

    [Theory]
    [MemberData(nameof(MisfireCases))]
    public async Task MissedDueTimes_FollowTheMisfirePolicy_AndTheGridCarriesOn(MisfirePolicy policy, int windowMinutes, string expectedMinutes, int firstMissed)
    {
        var clock = new ManualTimeProvider(T0);
        await using var cluster = await StartClusterAsync(clock: clock, configure: o =>
        {
            o.MisfireThreshold = TimeSpan.FromSeconds(30);
            o.CatchUpWindow = TimeSpan.FromMinutes(windowMinutes);
        });
        var grain = cluster.Client.GetGrain<IReminderGrain>("misfire");
        var want = expectedMinutes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(m => T0.AddMinutes(int.Parse(m, CultureInfo.InvariantCulture))).ToList();

        await grain.StartInterval("m", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), policy);
        await Eventually.Until(grain.GetReminderList, l => l.Count == 1, Wait, "reminder registered");
        clock.Advance(TimeSpan.FromMinutes(10.5)); // the cluster "was down" for ten due times
        await Eventually.Until(grain.GetReminderList, l => l.Single().NextDue == T0.AddMinutes(11), Wait, "schedule moved past the outage");
        var ticks = await Eventually.Until(grain.GetTicks, t => t.Count >= want.Count, Wait, $"{want.Count} ticks");

        Assert.Equal(want, ticks.Select(t => t.Due));
        if (want.Count > 0)
        {
            Assert.Equal(firstMissed, ticks[0].Missed);
        }

        clock.Advance(TimeSpan.FromMinutes(0.5)); // T0 + 11 min: back to normal firing, on the original grid
        var after = await Eventually.Until(grain.GetTicks, t => t.Count == want.Count + 1, Wait, "the next regular tick");
        Assert.Equal(T0.AddMinutes(11), after[^1].Due);
        Assert.Equal(0, after[^1].Missed);
    }

    [Fact]
    public async Task Reminders_CanBeListedChangedAndRemoved()
    {
        var clock = new ManualTimeProvider(T0);
        await using var cluster = await StartClusterAsync(clock: clock);
        var grain = cluster.Client.GetGrain<IReminderGrain>("crud");

        await grain.StartInterval("a", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), MisfirePolicy.FireOnceNow);
        await grain.StartCron("b", "0 9 * * MON-FRI", "Asia/Shanghai", MisfirePolicy.Skip);
        var both = await Eventually.Until(grain.GetReminderList, l => l.Count == 2, Wait, "two reminders");
        Assert.Equal(["a", "b"], both.Select(r => r.Name));
        Assert.Equal(ReminderSchedule.Cron("0 9 * * MON-FRI", "Asia/Shanghai"), both[1].Schedule);
        Assert.Equal(Utc("2026-01-06T01:00Z"), both[1].NextDue); // 09:00 in Shanghai (+08:00), next weekday

        await grain.StartInterval("a", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), MisfirePolicy.FireAll);
        await grain.Stop("b");
        var changed = await Eventually.Until(grain.GetReminderList, l => l.Count == 1 && l[0].Misfire == MisfirePolicy.FireAll, Wait, "a changed, b removed");

        Assert.Equal(T0.AddMinutes(5), changed[0].NextDue);
        Assert.Equal(ReminderSchedule.Every(TimeSpan.FromMinutes(5), T0.AddMinutes(5)), changed[0].Schedule);
    }

    [Fact]
    public async Task Reminder_OutlivesTheSiloThatRegisteredIt()
    {
        var clock = new ManualTimeProvider(T0);
        await using var cluster = await StartClusterAsync(clock: clock);
        var grain = cluster.Client.GetGrain<IReminderGrain>("durable");
        await grain.StartInterval("r", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), MisfirePolicy.FireOnceNow);
        await Eventually.Until(grain.GetReminderList, l => l.Count == 1, Wait, "reminder registered");

        await cluster.StopSiloAsync(cluster.Silos[0]);
        await cluster.StartSiloAsync();
        clock.Advance(TimeSpan.FromMinutes(1));

        var ticks = await Eventually.Until(grain.GetTicks, t => t.Count == 1, Wait, "tick after restart");
        Assert.Equal(T0.AddMinutes(1), ticks[0].Due);
    }
}

public sealed class PostgresReminderConformanceTests : ReminderConformanceTests
{
    protected override RuntimeOptions NewStore() => TestStores.Postgres("rem");
}

public sealed class SqliteReminderConformanceTests : ReminderConformanceTests
{
    protected override RuntimeOptions NewStore() => TestStores.Sqlite();
}
