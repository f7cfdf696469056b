using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.Engine.Tests.Schedules;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit;
using static Orchestrator.Engine.Tests.Schedules.ScheduleCalls;

namespace Orchestrator.Engine.Tests.Faults;

/// <summary>A schedule keeps firing exactly once per due time while the silo that owns it is killed, twice.</summary>
public sealed class ScheduleFailoverTests
{
    [Fact]
    public async Task KillTheOwningSilo_Twice_EveryDueTimeStartsExactlyOneRun()
    {
        var clock = new ManualTimeProvider(ScheduleFixture.Epoch);
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("schedfail"), silos: 3, clock);
        var plan = await h.PutPlanAsync(ScheduleFixture.GatePlan);
        await h.PutScheduleAsync(plan, "s", new { cron = "*/10 * * * * *", overlap = "allow" });
        var schedule = h.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(plan, "s"));
        var first = clock.NextMark(TimeSpan.FromSeconds(10), 0);
        const int fires = 30;
        var killed = 0;
        for (var k = 0; k < fires; k++)
        {
            if (k is 10 or 20)
            {
                // Kill whichever silo holds the schedule right now: the next due time must come from the one that takes over.
                var owner = await Eventually.Until(() => h.Cluster.SiloHoldingAsync(schedule), s => s is not null, ScheduleFixture.Wait, "a silo holding the schedule");
                await h.Cluster.KillSiloAsync(owner!);
                killed++;
            }
            var due = first.AddSeconds(10 * k);
            clock.AdvanceTo(due.AddSeconds(1));
            await h.WaitForScheduleAsync(plan, "s", x => Runs(x).Count == k + 1, $"run for the due time {due:O}");
        }

        var view = await h.GetScheduleAsync(plan, "s");
        var dues = Runs(view).Select(r => r!["dueTime"]!.GetValue<DateTimeOffset>()).Order().ToList();
        Assert.Equal(Enumerable.Range(0, fires).Select(k => first.AddSeconds(10 * k)), dues);
        Assert.Equal(fires, view["fired"]!.GetValue<long>());
        Assert.Equal(0, view["skipped"]!.GetValue<long>());
        Assert.Equal(2, killed);

        // Exactly one task instance per due time, each started once (the last starts may still be on their way).
        var instances = await Eventually.Until(() => InstancesOfAsync(h, plan), rows => rows.Count >= fires, ScheduleFixture.Wait, "every run's instance");
        Assert.Equal(fires, instances.Count);
        foreach (var row in instances)
        {
            var instance = await h.WaitForInstanceAsync(row.Key, ScheduleFixture.Wait, "waitingForApproval");
            Assert.Single(instance["actions"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "start");
        }
    }

    /// <summary>
    /// Issue #10 fault (b), the harder timing: the owning silo dies right as a due time fires (the fire may or may not
    /// have been written), and the second time three more due times pass while the schedule is held nowhere. Over the
    /// whole window each due time is decided once: a run or a recorded skip, and one instance per run.
    /// </summary>
    [Fact]
    public async Task KillTheOwningSilo_AsItFires_Twice_EveryDueTimeDecidedOnce()
    {
        var clock = new ManualTimeProvider(ScheduleFixture.Epoch, fireOnThreadPool: true);
        await using var h = await EngineHarness.StartAsync(EngineStores.Postgres("schedrace"), silos: 3, clock);
        var plan = await h.PutPlanAsync(ScheduleFixture.GatePlan);
        await h.PutScheduleAsync(plan, "s", new { cron = "*/10 * * * * *", overlap = "allow" });
        var schedule = h.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(plan, "s"));
        var first = clock.NextMark(TimeSpan.FromSeconds(10), 0);
        const int fires = 30;
        var kills = new List<string>();
        var k = 0;
        while (k < fires)
        {
            var due = first.AddSeconds(10 * k);
            if (k is 10 or 20)
            {
                var owner = await Eventually.Until(() => h.Cluster.SiloHoldingAsync(schedule), s => s is not null, ScheduleFixture.Wait, "a silo holding the schedule");
                // The due time is reached on the owner and the owner dies at once, racing its own fire.
                clock.AdvanceTo(due.AddSeconds(1));
                await h.Cluster.KillSiloAsync(owner!);
                kills.Add($"{owner!.SiloAddress} at {due:O}");
                if (k == 20)
                {
                    // Three more due times pass while no silo holds the schedule; the next activation decides them all.
                    k += 3;
                    clock.AdvanceTo(first.AddSeconds(10 * k).AddSeconds(1));
                }
                await h.Cluster.StartSiloAsync(); // back to three silos, as a restarted pod
            }
            else
            {
                clock.AdvanceTo(due.AddSeconds(1));
            }
            var decided = k + 1;
            await h.WaitForScheduleAsync(plan, "s", x => Runs(x).Count + Skipped(x).Count >= decided, $"{decided} due times decided (up to {first.AddSeconds(10 * k):O})");
            k++;
        }

        var view = await h.GetScheduleAsync(plan, "s");
        var runs = Runs(view).Select(r => r!["dueTime"]!.GetValue<DateTimeOffset>()).ToList();
        var skips = Skipped(view).Select(r => r!["dueTime"]!.GetValue<DateTimeOffset>()).ToList();
        var expected = Enumerable.Range(0, fires).Select(i => first.AddSeconds(10 * i)).ToList();
        Assert.Equal(expected, runs.Concat(skips).Order()); // every due time once, as a run or a skip, none twice
        Assert.Equal((long)fires, view["fired"]!.GetValue<long>() + view["skipped"]!.GetValue<long>());
        Assert.Equal((long)runs.Count, view["fired"]!.GetValue<long>());
        Assert.Equal(2, kills.Count);

        // One task instance per run, each started once, none for a skipped due time.
        var instances = await Eventually.Until(() => InstancesOfAsync(h, plan), rows => rows.Count >= runs.Count, ScheduleFixture.Wait, "every run's instance");
        Assert.Equal(runs.Count, instances.Count);
        var ids = Runs(view).Select(r => r!["instanceId"]!.GetValue<string>()).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), instances.Select(r => r.Key).Order(StringComparer.Ordinal));
        foreach (var row in instances)
        {
            var instance = await h.WaitForInstanceAsync(row.Key, ScheduleFixture.Wait, "waitingForApproval");
            Assert.Single(instance["actions"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "start");
        }
    }

    private static async Task<List<IndexRow>> InstancesOfAsync(EngineHarness h, string plan)
    {
        var instances = new List<IndexRow>();
        string? after = null;
        while (true)
        {
            var page = await h.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Instance, ["default"]) { AfterKey = after, Limit = 500 });
            instances.AddRange(page.Where(r => r.Key.StartsWith(plan + ".s.", StringComparison.Ordinal)));
            if (page.Count < 500)
            {
                return instances;
            }
            after = page[^1].Key;
        }
    }
}
