using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Engine.Tests.Infrastructure;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Schedules;
using Orchestrator.Runtime.Reminders;
using Xunit;

namespace Orchestrator.Engine.Tests.Schedules;

/// <summary>
/// The day rule through the API: '0 9 13 * 5' is every Friday and every 13th by default (as in Kubernetes CronJob and
/// Harbor), Friday the 13th only with dayMatching both; the choice is shown on the schedule and its previews, and a
/// schedule saved before the choice existed keeps both-must-match — unless it is a Harbor periodic job's (see also
/// <see cref="LegacyDayRuleTests"/>).
/// </summary>
[Collection(ScheduleCollection.Name)]
public sealed class ScheduleDayMatchingTests(ScheduleFixture fixture)
{
    private const string FridaysAnd13ths = "2030-09-06T09:00:00Z,2030-09-13T09:00:00Z,2030-09-20T09:00:00Z,2030-09-27T09:00:00Z,2030-10-04T09:00:00Z,2030-10-11T09:00:00Z,2030-10-13T09:00:00Z,2030-10-18T09:00:00Z";
    private const string Friday13ths = "2030-09-13T09:00:00Z,2030-12-13T09:00:00Z,2031-06-13T09:00:00Z,2032-02-13T09:00:00Z,2032-08-13T09:00:00Z,2033-05-13T09:00:00Z,2034-01-13T09:00:00Z,2034-10-13T09:00:00Z";

    private EngineHarness H => fixture.Harness;

    private static List<DateTimeOffset> Times(string list) => list.Split(',').Select(t => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture)).ToList();

    private static List<DateTimeOffset> Utc(JsonNode fires) => fires.AsArray().Select(f => f!["utc"]!.GetValue<DateTimeOffset>()).ToList();

    [Theory]
    [InlineData(null, "either", FridaysAnd13ths)]
    [InlineData("either", "either", FridaysAnd13ths)]
    [InlineData("Both", "both", Friday13ths)]
    public async Task TryPreview_Friday13_FollowsTheDayRule(string? dayMatching, string shown, string expected)
    {
        object body = dayMatching is null
            ? new { cron = "0 9 13 * 5", count = 8, from = "2030-09-01T00:00:00Z" }
            : new { cron = "0 9 13 * 5", count = 8, from = "2030-09-01T00:00:00Z", dayMatching };

        using var response = await H.Http.PostAsJsonAsync("/api/v1/schedules/preview", body);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(shown, json["dayMatching"]!.GetValue<string>());
        Assert.Equal(Times(expected), Utc(json["fires"]!));
    }

    [Fact]
    public async Task SavedSchedule_Friday13_PreviewsFridaysAnd13ths_AndBothOnlyFriday13ths()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var (either, both) = ClockWhereTheRulesDiffer();
        await H.PutScheduleAsync(plan, "standard", new { cron = "0 9 13 * 5" });
        await H.PutScheduleAsync(plan, "both", new { cron = "0 9 13 * 5", dayMatching = "both" });

        var standard = JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/plans/{plan}/schedules/standard/preview?count=8&from=2030-09-01T00:00:00Z"))!;
        var bothPreview = JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/plans/{plan}/schedules/both/preview?count=8&from=2030-09-01T00:00:00Z"))!;

        Assert.Equal("either", standard["dayMatching"]!.GetValue<string>());
        Assert.Equal(Times(FridaysAnd13ths), Utc(standard["fires"]!));
        Assert.Equal("both", bothPreview["dayMatching"]!.GetValue<string>());
        Assert.Equal(Times(Friday13ths), Utc(bothPreview["fires"]!));

        // The grain computes its own next due time with the same rule: exactly the day each rule gives.
        var view = await H.GetScheduleAsync(plan, "standard");
        Assert.Equal("either", view["spec"]!["dayMatching"]!.GetValue<string>());
        Assert.Equal(either, view["nextDue"]!.GetValue<DateTimeOffset>());
        Assert.Equal(both, (await H.GetScheduleAsync(plan, "both"))["nextDue"]!.GetValue<DateTimeOffset>());

        // The list shows the rule too.
        var list = JsonNode.Parse(await H.Http.GetStringAsync($"/api/v1/plans/{plan}/schedules"))!["items"]!.AsArray();
        Assert.Equal(["both", "either"], list.Select(i => i!["schedule"]!["dayMatching"]!.GetValue<string>()));

        await H.DeleteScheduleAsync(plan, "standard");
        await H.DeleteScheduleAsync(plan, "both");
    }

    [Fact]
    public async Task ChangingOnlyDayMatching_ChangesTheNextDueTime()
    {
        var plan = await H.PutPlanAsync(ScheduleFixture.GatePlan);
        var (either, both) = ClockWhereTheRulesDiffer();
        await H.PutScheduleAsync(plan, "s", new { cron = "0 9 13 * 5", dayMatching = "both" });
        Assert.Equal(both, (await H.GetScheduleAsync(plan, "s"))["nextDue"]!.GetValue<DateTimeOffset>());

        await H.PutScheduleAsync(plan, "s", new { cron = "0 9 13 * 5" });
        var after = await H.GetScheduleAsync(plan, "s");

        Assert.Equal("either", after["spec"]!["dayMatching"]!.GetValue<string>());
        Assert.Equal(either, after["nextDue"]!.GetValue<DateTimeOffset>());
        await H.DeleteScheduleAsync(plan, "s");
    }

    /// <summary>
    /// The next 09:00 UTC of '0 9 13 * 5' under each rule, computed by walking the days (Friday or 13th; Friday and
    /// 13th), with the fixture's clock first moved past a Friday the 13th if that is the next either-day, so that the
    /// two differ and an assertion of either tells the rules apart.
    /// </summary>
    private (DateTimeOffset Either, DateTimeOffset Both) ClockWhereTheRulesDiffer()
    {
        var either = NextAtNine(fixture.Clock.GetUtcNow(), d => d.DayOfWeek == DayOfWeek.Friday || d.Day == 13);
        if (either.DayOfWeek == DayOfWeek.Friday && either.Day == 13)
        {
            fixture.Clock.SetUtcNow(either.AddHours(1));
        }
        var now = fixture.Clock.GetUtcNow();
        var (e, b) = (NextAtNine(now, d => d.DayOfWeek == DayOfWeek.Friday || d.Day == 13), NextAtNine(now, d => d.DayOfWeek == DayOfWeek.Friday && d.Day == 13));
        Assert.NotEqual(e, b);
        return (e, b);
    }

    private static DateTimeOffset NextAtNine(DateTimeOffset after, Func<DateTimeOffset, bool> day)
    {
        var t = new DateTimeOffset(after.Year, after.Month, after.Day, 9, 0, 0, TimeSpan.Zero);
        while (t <= after || !day(t))
        {
            t = t.AddDays(1);
        }
        return t;
    }

    [Fact]
    public void StateSavedBeforeDayMatching_KeepsBothMustMatch_UntilSavedAgain()
    {
        // A schedule's state as the previous version stored it: no dayMatching, no dayMatchingSaved.
        const string old = """{"planId":"p","name":"s","spec":{"cron":"0 9 13 * 5","timeZone":"UTC","overlap":1},"revision":3}""";
        var state = JsonSerializer.Deserialize<ScheduleState>(old, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        Assert.False(state.DayMatchingSaved);
        Assert.Equal(DayMatching.Both, state.EffectiveSpec()!.DayMatching);

        state.Spec = new ScheduleSpec { Cron = "0 9 13 * 5" };
        state.DayMatchingSaved = true;
        var reread = JsonSerializer.Deserialize<ScheduleState>(JsonSerializer.Serialize(state, new JsonSerializerOptions(JsonSerializerDefaults.Web)), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(DayMatching.Either, reread.EffectiveSpec()!.DayMatching);
    }

    [Theory]
    [InlineData("Periodic", DayMatching.Either)]
    [InlineData("Generic", DayMatching.Both)]
    [InlineData(null, DayMatching.Both)]
    public void StateSavedBeforeDayMatching_OfAHarborPeriodicJob_FollowsTheStandardRule(string? kind, DayMatching expected)
    {
        // A periodic job's schedule as the jobs API saved it before dayMatching existed: labelled job.kind=Periodic.
        var labels = kind is null ? "" : $$""","labels":{"job.name":"script","job.kind":"{{kind}}"}""";
        var old = $$"""{"planId":"script","name":"p-0123456789abcdef0123456789abcdef","spec":{"cron":"0 0 9 13 * 5","timeZone":"UTC","overlap":0{{labels}}},"revision":1}""";
        var state = JsonSerializer.Deserialize<ScheduleState>(old, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        Assert.Equal(expected, state.EffectiveSpec()!.DayMatching);
        Assert.Equal(kind == "Periodic", state.AdoptsStandardDayRule);
        var cron = CronSchedule.ParseSaved(state.Spec!.Cron, state.Spec.TimeZone, state.EffectiveSpec()!.DayMatching);
        // From Sunday 2030-09-01: Friday the 6th under the standard rule, Friday the 13th under both.
        Assert.Equal(expected == DayMatching.Either ? new DateTimeOffset(2030, 9, 6, 9, 0, 0, TimeSpan.Zero) : new DateTimeOffset(2030, 9, 13, 9, 0, 0, TimeSpan.Zero),
            cron.NextAfter(new DateTimeOffset(2030, 9, 1, 0, 0, 0, TimeSpan.Zero)));
    }
}
