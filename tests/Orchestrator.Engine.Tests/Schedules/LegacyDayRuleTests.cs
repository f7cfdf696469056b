using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Tests.Infrastructure;
using Xunit;

namespace Orchestrator.Engine.Tests.Schedules;

/// <summary>
/// Schedules saved before <c>dayMatching</c> existed, as that version stored them: no day rule in the grain's state or
/// its index row, and the next firing computed under both-must-match (the grain's <c>cron</c> wake-up due on the next
/// Friday the 13th). Built here by saving two schedules, stopping the silo and rewriting its SQLite store to that form,
/// then starting again: a Harbor periodic job's follows the standard rule from then on — its next due time and its
/// wake-up, so it fires on the next Friday — while a plain schedule keeps both-must-match, the rule it was saved under.
/// </summary>
public sealed class LegacyDayRuleTests
{
    private const string GatePlan = ScheduleFixture.GatePlan;

    /// <summary>A Sunday: the next Friday (6th) comes before the next Friday the 13th.</summary>
    private static readonly DateTimeOffset Start = new(2030, 9, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset NextFriday = new(2030, 9, 6, 9, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset NextFriday13 = new(2030, 9, 13, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PeriodicJobSavedBeforeDayMatching_FollowsTheStandardRule_AndAPlainScheduleKeepsBoth()
    {
        var options = EngineStores.Sqlite();
        var clock = new ManualTimeProvider(Start);
        await using var h = await EngineHarness.StartAsync(options, silos: 1, clock);
        var plan = await h.PutPlanAsync(GatePlan);
        const string periodic = "p-0123456789abcdef0123456789abcdef";
        await SaveAsync(h, plan, periodic, new ScheduleSpec
        {
            Cron = "0 0 9 13 * 5",
            Overlap = OverlapPolicy.Allow,
            Labels = new Dictionary<string, string> { [JobLabels.Name] = plan, [JobLabels.Kind] = JobLabels.Periodic },
        });
        await SaveAsync(h, plan, "plain", new ScheduleSpec { Cron = "0 9 13 * 5", Overlap = OverlapPolicy.Allow });

        await h.StopApiAsync();
        await h.Cluster.StopSiloAsync(h.Cluster.RunningSilos.Single());
        await RewriteAsStoredBeforeDayMatchingAsync(options.ConnectionString, NextFriday13);
        Assert.Equal(new DateTimeOffset?[] { NextFriday13, NextFriday13 }, await WakeUpsAsync(options.ConnectionString));

        await h.Cluster.StartSiloAsync();
        await h.Cluster.WaitForStableAsync(TimeSpan.FromSeconds(30));
        await h.StartApiAsync();

        // The API's start asks the periodic job's schedule to adopt the standard rule: its wake-up moves to Friday.
        var periodicKey = GrainKeys.Schedule(plan, periodic);
        await Eventually.Until(() => WakeUpAsync(options.ConnectionString, periodicKey), due => due == NextFriday, ScheduleFixture.Wait, "the periodic job's wake-up under the standard rule");
        Assert.Equal(NextFriday13, await WakeUpAsync(options.ConnectionString, GrainKeys.Schedule(plan, "plain")));

        var periodicView = await h.GetScheduleAsync(plan, periodic);
        Assert.Equal("either", periodicView["spec"]!["dayMatching"]!.GetValue<string>());
        Assert.Equal(NextFriday, periodicView["nextDue"]!.GetValue<DateTimeOffset>());
        var plainView = await h.GetScheduleAsync(plan, "plain");
        Assert.Equal("both", plainView["spec"]!["dayMatching"]!.GetValue<string>());
        Assert.Equal(NextFriday13, plainView["nextDue"]!.GetValue<DateTimeOffset>());
        var list = JsonNode.Parse(await h.Http.GetStringAsync($"/api/v1/plans/{plan}/schedules"))!["items"]!.AsArray();
        Assert.Equal(["either", "both"], list.Select(i => i!["schedule"]!["dayMatching"]?.GetValue<string>()));

        // Friday the 6th, 09:00: the periodic job fires; the plain schedule does not (it waits for the 13th).
        clock.SetUtcNow(NextFriday.AddMinutes(-1));
        clock.AdvanceTo(NextFriday.AddSeconds(1));
        var fired = await h.WaitForScheduleAsync(plan, periodic, s => ScheduleCalls.Runs(s).Count == 1, "the periodic job's run of Friday the 6th");
        Assert.Equal(NextFriday, ScheduleCalls.Runs(fired)[0]!["dueTime"]!.GetValue<DateTimeOffset>());
        var plain = await h.GetScheduleAsync(plan, "plain");
        Assert.Empty(ScheduleCalls.Runs(plain));
        Assert.Equal(NextFriday13, plain["nextDue"]!.GetValue<DateTimeOffset>());
    }

    private static async Task SaveAsync(EngineHarness h, string plan, string name, ScheduleSpec spec)
    {
        var requestId = Guid.NewGuid().ToString("N");
        var grain = h.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(plan, name));
        await grain.Save(new SaveSchedule(requestId, plan, name, spec, null, "test"));
        await Eventually.Until(() => grain.GetRequestResultAsync(requestId).AsTask(), r => r is { Ok: true }, ScheduleFixture.Wait, $"schedule {name} saved");
    }

    /// <summary>
    /// What the version before <c>dayMatching</c> stored: states and index rows without the field (nor the flag saying
    /// it was saved), and the cron wake-up due on the next day both fields match — the only rule there was then.
    /// </summary>
    private static async Task RewriteAsStoredBeforeDayMatchingAsync(string connectionString, DateTimeOffset bothDue)
    {
        await using var db = new SqliteConnection(connectionString);
        await db.OpenAsync();
        var states = new List<(string Key, string Envelope)>();
        await using (var read = db.CreateCommand())
        {
            read.CommandText = "SELECT grain_key, state FROM orch_grain WHERE grain_type = 'schedule'";
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                states.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        Assert.Equal(2, states.Count);
        foreach (var (key, text) in states)
        {
            var envelope = JsonNode.Parse(text)!.AsObject();
            var state = envelope["state"]!.AsObject();
            Assert.True(state.Remove("dayMatchingSaved"), "the state has the flag to remove");
            Assert.True(state["spec"]!.AsObject().Remove("dayMatching"), "the spec has the field to remove");
            envelope["wakeUps"]!["cron"]!["due"] = bothDue.ToString("O");
            await using var write = db.CreateCommand();
            write.CommandText = "UPDATE orch_grain SET state = $state WHERE grain_type = 'schedule' AND grain_key = $key";
            write.Parameters.AddWithValue("$state", envelope.ToJsonString());
            write.Parameters.AddWithValue("$key", key);
            Assert.Equal(1, await write.ExecuteNonQueryAsync());
        }

        var rows = new List<(string Key, string Data)>();
        await using (var read = db.CreateCommand())
        {
            read.CommandText = $"SELECT key, data FROM orch_index WHERE kind = '{IndexKinds.Schedule}'";
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        Assert.Equal(2, rows.Count);
        foreach (var (key, data) in rows)
        {
            var json = JsonNode.Parse(data)!.AsObject();
            Assert.True(json.Remove("dayMatching"), "the index row has the field to remove");
            await using var write = db.CreateCommand();
            write.CommandText = $"UPDATE orch_index SET data = $data WHERE kind = '{IndexKinds.Schedule}' AND key = $key";
            write.Parameters.AddWithValue("$data", json.ToJsonString());
            write.Parameters.AddWithValue("$key", key);
            Assert.Equal(1, await write.ExecuteNonQueryAsync());
        }
    }

    /// <summary>The due time of each schedule's <c>cron</c> wake-up, by key.</summary>
    private static async Task<List<DateTimeOffset?>> WakeUpsAsync(string connectionString)
    {
        await using var db = new SqliteConnection(connectionString);
        await db.OpenAsync();
        await using var read = db.CreateCommand();
        read.CommandText = "SELECT state FROM orch_grain WHERE grain_type = 'schedule' ORDER BY grain_key";
        await using var reader = await read.ExecuteReaderAsync();
        var list = new List<DateTimeOffset?>();
        while (await reader.ReadAsync())
        {
            list.Add(DueOf(reader.GetString(0)));
        }
        return list;
    }

    private static async Task<DateTimeOffset?> WakeUpAsync(string connectionString, string key)
    {
        await using var db = new SqliteConnection(connectionString);
        await db.OpenAsync();
        await using var read = db.CreateCommand();
        read.CommandText = "SELECT state FROM orch_grain WHERE grain_type = 'schedule' AND grain_key = $key";
        read.Parameters.AddWithValue("$key", key);
        return await read.ExecuteScalarAsync() is string state ? DueOf(state) : null;
    }

    private static DateTimeOffset? DueOf(string envelope) =>
        JsonNode.Parse(envelope)?["wakeUps"]?["cron"]?["due"]?.GetValue<DateTimeOffset>();
}
