using Orchestrator.Runtime.Tests.Infrastructure;
using Orchestrator.Runtime.Tests.TestGrains;

namespace Orchestrator.Runtime.Tests.Conformance;

/// <summary>Dead letters as the grains they belong to see them: a notice to the grain, and a list by key prefix.</summary>
public abstract partial class RuntimeConformanceTests
{
    [Fact]
    public async Task DeadLetter_OfAnObservingGrain_NoticedOnceWithMethodErrorAndArguments_AndListedByKeyPrefix()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await StartClusterAsync(clock: clock, configure: o => o.MaxMessageAttempts = 1);
        var run = cluster.Client.GetGrain<IObservedGrain>("run-1");

        await run.Do(new ObservedCommand("bad-1"));
        await cluster.Client.GetGrain<IObservedGrain>("run-1:0").Do(new ObservedCommand("bad-2"));
        await cluster.Client.GetGrain<IObservedGrain>("run-10").Do(new ObservedCommand("bad-3"));
        await cluster.Client.GetGrain<IObservedGrain>("run-1").Do(new ObservedCommand("good"));

        var notice = Assert.Single(await Eventually.Until(run.GetNotices, n => n.Count > 0, Wait, "the notice heard"));
        var letters = await Eventually.Until(() => cluster.Client.GetDeadLettersAsync(), l => l.Count == 3, Wait, "three parked");
        var letter = letters.Single(l => l.Grain.Key == "run-1");
        Assert.Equal((letter.MessageId, "Do", null, 1, "bad-1"), (notice.MessageId, notice.Method, notice.Reminder, notice.Attempts, notice.What));
        Assert.Contains("failing on purpose: bad-1", notice.Error, StringComparison.Ordinal);
        Assert.Equal(clock.GetUtcNow(), notice.ParkedAt);
        Assert.Equal(clock.GetUtcNow(), letter.ParkedAt);

        var ofRun = await cluster.Client.GetDeadLettersAsync("run-1");
        Assert.Equal(["run-1", "run-10", "run-1:0"], ofRun.Select(l => l.Grain.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["run-1:0"], (await cluster.Client.GetDeadLettersAsync("run-1:")).Select(l => l.Grain.Key));
        Assert.Empty(await cluster.Client.GetDeadLettersAsync("other"));
        Assert.Single(await run.GetNotices()); // once, though the grain took more turns since
    }

    [Fact]
    public async Task DeadLetter_OfAReminderTick_NoticedWithTheReminderName()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await StartClusterAsync(clock: clock, configure: o => o.MaxMessageAttempts = 1);
        var grain = cluster.Client.GetGrain<IObservedGrain>("ticks");

        await grain.ArmFailingReminder("alarm", TimeSpan.FromMinutes(1));
        await Eventually.Until(() => cluster.Client.GetGrainVersionAsync(grain), v => v == 1, Wait, "the reminder armed");
        clock.Advance(TimeSpan.FromMinutes(1));

        var notice = Assert.Single(await Eventually.Until(grain.GetNotices, n => n.Count > 0, Wait, "the notice heard"));
        Assert.Equal(("ReceiveReminder", "alarm"), (notice.Method, notice.Reminder));
        Assert.Contains("reminder alarm failing on purpose", notice.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetter_WhoseNoticeFailsToo_ParkedWithoutAnotherNotice()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await StartClusterAsync(clock: clock, configure: o => o.MaxMessageAttempts = 1);
        var grain = cluster.Client.GetGrain<IObservedGrain>("loop");

        await grain.Do(new ObservedCommand("bad-notice"));
        var letters = await Eventually.Until(() => cluster.Client.GetDeadLettersAsync("loop"), l => l.Count == 2, Wait, "the command and its notice parked");
        await grain.Do(new ObservedCommand("bad-later")); // a later turn: were a notice of the notice coming, it would be before this one's
        await Eventually.Until(grain.GetNotices, n => n.Count == 1, Wait, "the later failure noticed");

        Assert.Contains("the notice fails too", letters[1].Error, StringComparison.Ordinal);
        Assert.Equal(3, (await cluster.Client.GetDeadLettersAsync("loop")).Count);
        Assert.Equal("bad-later", Assert.Single(await grain.GetNotices()).What);
    }
}
