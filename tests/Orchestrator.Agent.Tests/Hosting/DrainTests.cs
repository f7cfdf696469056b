using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Hosting;

public sealed class DrainTests
{
    [Fact]
    public async Task RunAsync_Cancelled_LetsRunningScriptFinishAndReportThenReturns()
    {
        await using var harness = await AgentHarness.StartAsync();
        var release = Path.Combine(harness.Directory, "release");
        var running = harness.Script($"while [ ! -e '{release}' ]; do sleep 0.05; done\necho finished anyway");
        harness.Server.Enqueue(running);
        await Eventually.True(() => harness.Server.Events(running.Id).Any(e => e.Type == AgentEventType.Started), "the script to start");

        await harness.StopAgentAsync();
        await Eventually.True(() => harness.Server.Heartbeats().Any(h => h.Draining), "a draining heartbeat");
        // Once a poll asks for nothing the agent has stopped taking work; what is queued now stays at the server.
        var pollsBefore = harness.Server.Polls().Count;
        await Eventually.True(() => harness.Server.Polls().Skip(pollsBefore).Any(p => p.MaxAssignments == 0), "a poll that asks for nothing");
        var late = harness.Script("echo too late");
        harness.Server.Enqueue(late);
        Assert.False(harness.Run!.IsCompleted);

        await File.WriteAllTextAsync(release, "");
        await harness.Run.WaitAsync(TimeSpan.FromSeconds(30));

        var finished = harness.Server.Finished(running.Id);
        Assert.Equal(AgentOutcome.Succeeded, finished?.Outcome);
        Assert.Contains("finished anyway", harness.Server.Log(running.Id), StringComparison.Ordinal);
        Assert.Equal(1, harness.Server.Queued(harness.Host));
        Assert.Null(harness.Server.Finished(late.Id));
    }

    [Fact]
    public async Task RunAsync_CancelledWhileIdle_ReturnsWithoutWaitingOutLongPoll()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        harness.Server.PollWaitMs = 60_000;
        harness.StartAgent();
        await Eventually.True(() => harness.Server.Polls().Count > 0, "the first poll");

        await harness.StopAgentAsync();

        // The poll in flight is abandoned (a lost poll answer is one the server must tolerate anyway).
        await harness.Run!.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RunAsync_KillDuringDrain_KillsTheRunningScriptAndReportsAnErrorSayingWhy()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        using var drain = new CancellationTokenSource();
        using var kill = new CancellationTokenSource();
        var run = Task.Run(() => new AgentRunner(harness.Options()).RunAsync(drain.Token, kill.Token, CancellationToken.None));
        var stuck = harness.Script("echo started; sleep 30; echo never");
        harness.Server.Enqueue(stuck);
        await Eventually.True(() => harness.Server.Events(stuck.Id).Any(e => e.Type == AgentEventType.Started), "the script to start");

        await drain.CancelAsync();
        await Eventually.True(() => harness.Server.Heartbeats().Any(h => h.Draining), "a draining heartbeat");
        Assert.False(run.IsCompleted); // a drain alone waits for the script
        await kill.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(15));

        var finished = harness.Server.Finished(stuck.Id);
        Assert.Equal(AgentOutcome.Error, finished?.Outcome);
        Assert.Contains("the agent stopped", finished!.Message, StringComparison.Ordinal);
        Assert.Contains("Killed: the agent stopped", harness.Server.Log(stuck.Id), StringComparison.Ordinal);
        Assert.DoesNotContain("never", harness.Server.Log(stuck.Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AbandonWhileReportsCannotGetThrough_ReturnsAtOnce()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        using var drain = new CancellationTokenSource();
        using var kill = new CancellationTokenSource();
        using var abandon = new CancellationTokenSource();
        var run = Task.Run(() => new AgentRunner(harness.Options()).RunAsync(drain.Token, kill.Token, abandon.Token));
        var stuck = harness.Script("sleep 30");
        harness.Server.Enqueue(stuck);
        await Eventually.True(() => harness.Server.Events(stuck.Id).Any(e => e.Type == AgentEventType.Started), "the script to start");
        await harness.Server.StopAsync(); // the server is gone: the kill's report cannot be made

        await drain.CancelAsync();
        await kill.CancelAsync();
        Assert.False(run.IsCompleted); // the kill's report is never acknowledged: only abandoning ends the run
        await abandon.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(harness.Server.Finished(stuck.Id));
    }
}
