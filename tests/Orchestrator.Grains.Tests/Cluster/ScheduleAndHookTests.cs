using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Hooks;
using Orchestrator.Grains.Schedules;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Tests.Infrastructure;

namespace Orchestrator.Grains.Tests.Cluster;

/// <summary>
/// The schedule's time (a wake-up at the next due time, one keep-alive reminder while enabled, each due time decided
/// once) and the status hook's retry back-off (a wake-up), on the manual clock.
/// </summary>
public sealed class ScheduleAndHookTests : IAsyncLifetime
{
    private readonly FlakyReceiver _receiver = new();
    private GrainCluster? _cluster;

    private GrainCluster Cluster => _cluster!;

    private async Task StartAsync() =>
        _cluster = await GrainCluster.StartAsync(services => services.AddSingleton(
            new StatusHookSender(() => new HttpClient(_receiver), new StatusHookOptions { InitialBackoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromMinutes(1) })));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        _receiver.Dispose();
    }

    [Fact]
    public async Task Schedule_EveryMinute_EachDueTimeStartsOneRunByWakeUpAndTheKeepAliveFollowsEnabled()
    {
        await StartAsync();
        await Cluster.RegisterHostAsync("cron-1");
        var plan = Cluster.Client.GetGrain<IPlanGrain>("nightly");
        await plan.Save(new SavePlan(Cluster.NewRequestId(), GrainCluster.Plan("""
            name: nightly
            steps:
              - name: work
                targets:
                  hosts: [cron-1]
                script: echo tick
            """), null, "test"));
        var schedule = Cluster.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule("nightly", "minutely"));
        var save = Cluster.NewRequestId();
        await schedule.Save(new SaveSchedule(save, "nightly", "minutely", new ScheduleSpec { Cron = "* * * * *", Overlap = OverlapPolicy.Allow }, null, "test"));
        Assert.Equal(200, (await schedule.GetRequestResultAsync(save))?.Code);
        Assert.Equal([ScheduleGrain.KeepAliveReminder], await Cluster.RemindersOf(schedule));
        Assert.Equal(Cluster.Clock.GetUtcNow().AddMinutes(1), (await schedule.GetAsync())!.NextDue);

        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(59));
        Assert.Equal(0, (await schedule.GetAsync())!.FiredCount);
        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await Eventually.Until(async () => (await schedule.GetAsync())!.FiredCount, n => n == 1, GrainCluster.Deadline, "the first due time to fire");
        await Cluster.AdvanceAsync(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        var view = await Eventually.Until(() => schedule.GetAsync().AsTask(), v => v!.FiredCount == 2, GrainCluster.Deadline, "the second due time to fire");

        var start = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal([start.AddMinutes(1), start.AddMinutes(2)], view!.Runs.Select(r => r.DueTime));
        Assert.Equal(["nightly.minutely.20261201T080100Z", "nightly.minutely.20261201T080200Z"], view.Runs.Select(r => r.InstanceId));
        foreach (var run in view.Runs)
        {
            var instance = await Cluster.WaitInstanceAsync(run.InstanceId, _ => true, $"run {run.InstanceId} to exist");
            Assert.Equal(run.DueTime, instance!.DueTime);
        }

        // Suspended: no wake-up, no keep-alive, nothing fires; resumed: the due times in between are recorded skipped.
        await schedule.SetSuspended(new SuspendSchedule(Cluster.NewRequestId(), true, "test"));
        Assert.Empty(await Cluster.RemindersOf(schedule));
        await Cluster.AdvanceAsync(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1));
        Assert.Equal(2, (await schedule.GetAsync())!.FiredCount);
        await schedule.SetSuspended(new SuspendSchedule(Cluster.NewRequestId(), false, "test"));
        view = await schedule.GetAsync();
        Assert.Equal((2, 3), (view!.FiredCount, view.SkippedCount));
        Assert.All(view.Skipped, s => Assert.Equal(SkipReason.Suspended, s.Reason));
        Assert.Equal([ScheduleGrain.KeepAliveReminder], await Cluster.RemindersOf(schedule));

        await schedule.Delete(new ScheduleCommand(Cluster.NewRequestId(), "test"));
        Assert.Empty(await Cluster.RemindersOf(schedule));
        await Cluster.AdvanceAsync(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1));
        Assert.Equal(2, (await schedule.GetAsync())!.FiredCount);
    }

    [Fact]
    public async Task Hook_ReceiverFailsOnce_RetriedAfterTheBackoffOnTheClock()
    {
        await StartAsync();
        _receiver.FailNext = 1;
        var hook = Cluster.Client.GetGrain<IStatusHookGrain>(HookSubjects.Instance("hooked"));

        await hook.Publish(new HookEvent(new StatusHook("http://receiver.test/hook", null), 1, """{"status":"running"}""", Cluster.Clock.GetUtcNow()));
        var view = await hook.GetAsync();
        var head = Assert.Single(view!.Pending);
        Assert.Equal((1, 0), (head.Attempts, view.Delivered.Count));
        Assert.Equal("HTTP 503 Service Unavailable", head.LastError);
        Assert.InRange(head.NextAttemptAt!.Value - Cluster.Clock.GetUtcNow(), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        Assert.Equal(1, _receiver.Requests);

        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4));
        Assert.Equal(1, _receiver.Requests);
        await Cluster.AdvanceAsync(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6));
        view = await Eventually.Until(() => hook.GetAsync().AsTask(), v => v!.Delivered.Count == 1, GrainCluster.Deadline, "the retry to deliver");
        Assert.Empty(view!.Pending);
        Assert.Equal(2, Assert.Single(view.Delivered).TotalAttempts);
        Assert.Equal(2, _receiver.Requests);
        Assert.Empty(await Cluster.RemindersOf(hook));
    }

    [Fact]
    public async Task Hook_ReceiverSlow_ViewAndPublishesAnsweredWhileThePostIsUnderWay()
    {
        await StartAsync();
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Hold = hold.Task;
        var hook = Cluster.Client.GetGrain<IStatusHookGrain>(HookSubjects.Instance("slow"));
        var target = new StatusHook("http://receiver.test/hook", null);

        await hook.Publish(new HookEvent(target, 1, "{}", Cluster.Clock.GetUtcNow()));
        await Eventually.Until(() => Task.FromResult(_receiver.Requests), n => n == 1, GrainCluster.Deadline, "the POST to be under way");

        // The receiver has not answered: the grain still reads and takes the next event.
        await hook.Publish(new HookEvent(target, 2, "{}", Cluster.Clock.GetUtcNow()));
        var view = await hook.GetAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([(1L, 0), (2L, 0)], view!.Pending.Select(p => (p.Revision, p.Attempts)));

        hold.SetResult();
        view = await Eventually.Until(() => hook.GetAsync().AsTask(), v => v!.Delivered.Count == 2, GrainCluster.Deadline, "both revisions delivered");
        Assert.Equal([1L, 2L], view!.Delivered.Select(d => d.Revision));
        Assert.Equal(2, _receiver.Requests);
    }

    /// <summary>A hook receiver that answers 503 to the first <see cref="FailNext"/> requests, then 204; it answers once <see cref="Hold"/> completes.</summary>
    private sealed class FlakyReceiver : HttpMessageHandler
    {
        private int _requests;

        public int FailNext { get; set; }

        public Task Hold { get; set; } = Task.CompletedTask;

        public int Requests => Volatile.Read(ref _requests);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _requests);
            await Hold.WaitAsync(cancellationToken);
            return new HttpResponseMessage(n <= FailNext ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.NoContent);
        }
    }
}
