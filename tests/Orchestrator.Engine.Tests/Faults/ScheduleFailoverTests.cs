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

    private static async Task<List<IndexRow>> InstancesOfAsync(EngineHarness h, string plan)
    {
        var instances = new List<IndexRow>();
        string? after = null;
        while (true)
        {
            var page = await h.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Instance, [""]) { AfterKey = after, Limit = 500 });
            instances.AddRange(page.Where(r => r.Key.StartsWith(plan + ".s.", StringComparison.Ordinal)));
            if (page.Count < 500)
            {
                return instances;
            }
            after = page[^1].Key;
        }
    }
}
