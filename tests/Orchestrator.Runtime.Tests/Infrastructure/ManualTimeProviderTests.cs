namespace Orchestrator.Runtime.Tests.Infrastructure;

/// <summary>The tests' manual clock keeps a real timer's promises, or tests built on it race.</summary>
public sealed class ManualTimeProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task CreateTimer_DueNow_FiresWithoutTheClockMoving()
    {
        var clock = new ManualTimeProvider(Start);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = clock.CreateTimer(_ => fired.TrySetResult(), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);

        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Change_ToADueTimeAlreadyPast_FiresOnce()
    {
        var clock = new ManualTimeProvider(Start);
        var count = 0;
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = clock.CreateTimer(_ =>
        {
            Interlocked.Increment(ref count);
            fired.TrySetResult();
        }, null, TimeSpan.FromDays(1), Timeout.InfiniteTimeSpan);

        timer.Change(TimeSpan.FromSeconds(-5), Timeout.InfiniteTimeSpan);
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromDays(2));

        Assert.Equal(1, Volatile.Read(ref count));
    }

    [Fact]
    public void CreateTimer_DueLater_FiresOnlyWhenTheClockPassesIt()
    {
        var clock = new ManualTimeProvider(Start);
        var count = 0;
        using var timer = clock.CreateTimer(_ => Interlocked.Increment(ref count), null, TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, Volatile.Read(ref count));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, Volatile.Read(ref count));
    }
}
