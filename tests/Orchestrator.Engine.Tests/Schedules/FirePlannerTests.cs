using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Schedules;
using Orchestrator.Runtime.Reminders;
using Xunit;

namespace Orchestrator.Engine.Tests.Schedules;

/// <summary>What each due time becomes after an outage, per catch-up mode and starting deadline (pure decisions).</summary>
public sealed class FirePlannerTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 7, 0, 0, 0, TimeSpan.Zero);
    private static readonly CronSchedule Every10 = CronSchedule.Parse("*/10 * * * *", "UTC");

    /// <summary>The due times of a 3-hour outage on an every-10-minutes schedule, handled 5 s after the last one.</summary>
    private static (List<DateTimeOffset> Dues, DateTimeOffset Now) Outage()
    {
        var (dues, dropped) = FirePlanner.DueTimes(Every10, Start, Start.AddHours(3));
        Assert.Equal(0, dropped);
        return (dues, Start.AddHours(3).AddSeconds(5));
    }

    [Fact]
    public void Due_times_of_a_three_hour_outage_are_the_eighteen_ten_minute_marks()
    {
        var (dues, _) = Outage();
        Assert.Equal(18, dues.Count);
        Assert.Equal(Start.AddMinutes(10), dues[0]);
        Assert.Equal(Start.AddHours(3), dues[^1]);
    }

    [Fact]
    public void None_skips_every_missed_due_time_and_starts_the_on_time_one()
    {
        var (dues, now) = Outage();
        var decisions = FirePlanner.Decide(new ScheduleSpec { CatchUp = CatchUpMode.None }, dues, now);
        Assert.Equal(17, decisions.Count(d => d.Skip == SkipReason.Missed));
        Assert.Equal(RunTrigger.Schedule, decisions[^1].Start); // 5 s late is on time
    }

    [Fact]
    public void Latest_with_an_on_time_due_time_skips_all_missed_ones()
    {
        var (dues, now) = Outage();
        var decisions = FirePlanner.Decide(new ScheduleSpec { CatchUp = CatchUpMode.Latest }, dues, now);
        Assert.Equal(17, decisions.Count(d => d.Skip == SkipReason.Missed));
        Assert.Single(decisions, d => d.Start is not null);
        Assert.Equal(RunTrigger.Schedule, decisions[^1].Start);
    }

    [Fact]
    public void Latest_starts_only_the_newest_missed_due_time_when_none_is_on_time()
    {
        var (dues, _) = Outage();
        var now = Start.AddHours(3).AddMinutes(5); // between due times, all 18 are late
        var decisions = FirePlanner.Decide(new ScheduleSpec { CatchUp = CatchUpMode.Latest }, dues, now);
        Assert.Equal(17, decisions.Count(d => d.Skip == SkipReason.Missed));
        Assert.Equal(RunTrigger.CatchUp, decisions[^1].Start);
    }

    [Fact]
    public void All_starts_the_missed_due_times_within_the_window_in_order_and_skips_older_ones()
    {
        var (dues, _) = Outage();
        var now = Start.AddHours(3).AddMinutes(5);
        var decisions = FirePlanner.Decide(new ScheduleSpec { CatchUp = CatchUpMode.All, CatchUpWindow = TimeSpan.FromHours(2) }, dues, now);
        var started = decisions.Where(d => d.Start == RunTrigger.CatchUp).Select(d => d.Due).ToList();
        Assert.Equal(12, started.Count); // 01:10 .. 03:00 are within 2 h of 03:05
        Assert.Equal(started.Order(), started);
        Assert.Equal(Start.AddMinutes(70), started[0]);
        Assert.Equal(6, decisions.Count(d => d.Skip == SkipReason.BeyondCatchUpWindow));
        Assert.True(decisions.Where(d => d.Skip is not null).All(d => d.Due < started[0]));
    }

    [Fact]
    public void A_starting_deadline_skips_what_is_later_than_it_before_catch_up_applies()
    {
        var (dues, _) = Outage();
        var now = Start.AddHours(3).AddMinutes(5);
        var spec = new ScheduleSpec { CatchUp = CatchUpMode.All, StartingDeadline = TimeSpan.FromMinutes(30) };
        var decisions = FirePlanner.Decide(spec, dues, now);
        // 02:40, 02:50 and 03:00 are within 30 min of 03:05.
        Assert.Equal([Start.AddMinutes(160), Start.AddMinutes(170), Start.AddMinutes(180)], decisions.Where(d => d.Start is not null).Select(d => d.Due));
        Assert.Equal(15, decisions.Count(d => d.Skip == SkipReason.DeadlinePassed));
        Assert.Contains("starting deadline is 30m", decisions[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fire_a_little_late_is_on_time_and_one_past_its_deadline_is_not()
    {
        var due = Start.AddMinutes(10);
        Assert.Equal(RunTrigger.Schedule, FirePlanner.Decide(new ScheduleSpec(), [due], due.AddSeconds(59)).Single().Start);
        var late = FirePlanner.Decide(new ScheduleSpec { StartingDeadline = TimeSpan.FromSeconds(10) }, [due], due.AddSeconds(11)).Single();
        Assert.Equal(SkipReason.DeadlinePassed, late.Skip);
    }

    [Fact]
    public void All_starts_at_most_the_newest_hundred_missed_due_times()
    {
        var everyMinute = CronSchedule.Parse("* * * * *", "UTC");
        var (dues, _) = FirePlanner.DueTimes(everyMinute, Start, Start.AddHours(5));
        var decisions = FirePlanner.Decide(new ScheduleSpec { CatchUp = CatchUpMode.All }, dues, Start.AddHours(5).AddMinutes(30));
        var started = decisions.Where(d => d.Start is not null).Select(d => d.Due).ToList();
        Assert.Equal(FirePlanner.MaxCatchUpRuns, started.Count);
        Assert.Equal(dues.TakeLast(FirePlanner.MaxCatchUpRuns), started);
        Assert.Equal(300 - FirePlanner.MaxCatchUpRuns, decisions.Count(d => d.Skip == SkipReason.BeyondCatchUpWindow));
    }

    [Fact]
    public void A_very_long_outage_keeps_the_newest_due_times_and_counts_the_rest()
    {
        var everySecond = CronSchedule.Parse("* * * * * *", "UTC");
        var (dues, dropped) = FirePlanner.DueTimes(everySecond, Start, Start.AddHours(5));
        Assert.Equal(FirePlanner.MaxDueTimes, dues.Count);
        Assert.Equal(5 * 3600 - FirePlanner.MaxDueTimes, dropped);
        Assert.Equal(Start.AddHours(5), dues[^1]);
    }

    [Theory]
    [InlineData("America/New_York", "2030-03-10T06:00:00Z", "2030-03-10T07:00:00Z", "2030-03-11T06:30:00Z")] // 02:30 does not exist: fires once at 03:00 EDT
    [InlineData("Europe/London", "2030-03-31T00:00:00Z", "2030-03-31T01:00:00Z", "2030-04-01T00:30:00Z")] // 01:30 does not exist: fires at 02:00 BST; next day 01:30 BST
    public void A_due_time_in_a_spring_forward_gap_fires_once_at_the_transition(string zone, string from, string firstUtc, string secondUtc)
    {
        var cron = CronSchedule.Parse(zone == "Europe/London" ? "30 1 * * *" : "30 2 * * *", zone);
        var (dues, _) = FirePlanner.DueTimes(cron, DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(secondUtc, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([DateTimeOffset.Parse(firstUtc, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(secondUtc, System.Globalization.CultureInfo.InvariantCulture)], dues);
    }

    [Fact]
    public void An_ambiguous_fall_back_time_fires_once()
    {
        // 01:30 happens twice in New York on 2030-11-03 (EDT then EST): once, in the first pass (05:30Z).
        var cron = CronSchedule.Parse("30 1 * * *", "America/New_York");
        var (dues, _) = FirePlanner.DueTimes(cron, new DateTimeOffset(2030, 11, 3, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 11, 4, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal([new DateTimeOffset(2030, 11, 3, 5, 30, 0, TimeSpan.Zero), new DateTimeOffset(2030, 11, 4, 6, 30, 0, TimeSpan.Zero)], dues);
    }
}
