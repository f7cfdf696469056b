using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Xunit;

namespace Orchestrator.Engine.Tests.Schedules;

/// <summary>
/// Schedule lists page with the same opaque cursor as every other list: following <c>next</c> visits each schedule
/// once, and a cursor of one plan's list is refused by another's.
/// </summary>
[Collection(ScheduleCollection.Name)]
public sealed class SchedulePagingTests(ScheduleFixture fixture)
{
    private EngineHarness H => fixture.Harness;

    [Fact]
    public async Task List_FollowingNext_VisitsEveryScheduleOnce_AndACursorStaysInItsList()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var other = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        string[] names = ["a", "b", "c", "d", "e"];
        foreach (var name in names)
        {
            await H.PutScheduleAsync(plan, name, new { cron = "0 9 * * *", suspend = true });
        }
        await H.PutScheduleAsync(other, "z", new { cron = "0 9 * * *", suspend = true });

        var (seen, cursors) = await PageAsync($"/api/v1/plans/{plan}/schedules?limit=2");
        Assert.Equal(names.Select(n => $"{plan}/{n}"), seen);
        Assert.All(cursors, c => Assert.DoesNotContain(plan, c, StringComparison.Ordinal)); // opaque, not the raw key

        var all = (await PageAsync("/api/v1/schedules?limit=2")).Keys;
        Assert.Equal(all.Distinct(StringComparer.Ordinal).Count(), all.Count);
        Assert.Contains($"{other}/z", all);
        Assert.True(names.All(n => all.Contains($"{plan}/{n}")), string.Join(", ", all));

        using var response = await H.Http.GetAsync($"/api/v1/plans/{other}/schedules?after={cursors[0]}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"after\"", body, StringComparison.Ordinal);

        foreach (var name in names)
        {
            await H.DeleteScheduleAsync(plan, name);
        }
        await H.DeleteScheduleAsync(other, "z");
    }

    private async Task<(List<string> Keys, List<string> Cursors)> PageAsync(string first)
    {
        var keys = new List<string>();
        var cursors = new List<string>();
        var path = first;
        for (var page = 0; page < 1000; page++)
        {
            var json = JsonNode.Parse(await H.Http.GetStringAsync(path))!;
            keys.AddRange(json["items"]!.AsArray().Select(i => i!["key"]!.GetValue<string>()));
            if (json["next"]?.GetValue<string>() is not { } next)
            {
                return (keys, cursors);
            }
            cursors.Add(next);
            path = first + "&after=" + next;
        }
        throw new InvalidOperationException("paging did not end");
    }
}
