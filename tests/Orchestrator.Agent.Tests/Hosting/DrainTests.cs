using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Hosting;

public sealed class DrainTests
{
    [Fact]
    public async Task RunAsync_Cancelled_LetsRunningScriptFinishAndReportThenReturns()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        var logs = new CapturedLogs();
        harness.StartAgent(loggerFactory: logs);
        var go = Path.Combine(harness.Directory, "go");
        var release = Path.Combine(harness.Directory, "release");
        var running = harness.Script(
            $"while [ ! -e '{go}' ]; do sleep 0.05; done\necho still running while draining\nwhile [ ! -e '{release}' ]; do sleep 0.05; done\necho finished anyway");
        harness.Server.Enqueue(running);
        await Eventually.True(() => harness.Server.Events(running.Id).Any(e => e.Type == AgentEventType.Started), "the script to start");

        await harness.StopAgentAsync();
        // Once a poll asks for nothing the agent has stopped taking work; what is queued now stays at the server.
        await WaitForDrainToWaitAsync(harness, harness.Run!);
        var late = harness.Script("echo too late");
        harness.Server.Enqueue(late);
        File.WriteAllText(go, "");

        // Output the script wrote after the drain began reached the server: the drain waits for the script (one that
        // did not would have ended, and logged so, before "go").
        await Eventually.True(() => harness.Server.Log(running.Id).Contains("still running while draining", StringComparison.Ordinal), "output written during the drain");
        Assert.DoesNotContain(logs.Entries, e => e.Message.StartsWith("Drained", StringComparison.Ordinal));
        Assert.False(harness.Run!.IsCompleted);
        Assert.Null(harness.Server.Finished(running.Id));

        File.WriteAllText(release, "");
        await harness.Run.WaitAsync(TimeSpan.FromSeconds(30));

        var finished = harness.Server.Finished(running.Id);
        Assert.Equal(AgentOutcome.Succeeded, finished?.Outcome);
        Assert.Contains("finished anyway", harness.Server.Log(running.Id), StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Message.StartsWith("Drained", StringComparison.Ordinal));
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
        var logs = new CapturedLogs();
        using var drain = new CancellationTokenSource();
        using var kill = new CancellationTokenSource();
        var run = Task.Run(() => new AgentRunner(harness.Options(), logs).RunAsync(drain.Token, kill.Token, CancellationToken.None));
        var go = Path.Combine(harness.Directory, "go");
        var stuck = harness.Script($"echo started; while [ ! -e '{go}' ]; do sleep 0.05; done; echo still running while draining; while true; do sleep 0.05; done; echo never");
        harness.Server.Enqueue(stuck);
        await Eventually.True(() => harness.Server.Events(stuck.Id).Any(e => e.Type == AgentEventType.Started), "the script to start");

        await drain.CancelAsync();
        await WaitForDrainToWaitAsync(harness, run);
        File.WriteAllText(go, "");

        // Output the script wrote after the drain began reached the server: the script ran on and the agent still
        // reported, so the drain waited for it (a drain that did not would have ended, and logged so, before "go").
        await Eventually.True(() => harness.Server.Log(stuck.Id).Contains("still running while draining", StringComparison.Ordinal), "output written during the drain");
        Assert.DoesNotContain(logs.Entries, e => e.Message.StartsWith("Drained", StringComparison.Ordinal));
        Assert.False(run.IsCompleted);
        Assert.Null(harness.Server.Finished(stuck.Id));

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
        var logs = new CapturedLogs();
        using var drain = new CancellationTokenSource();
        using var kill = new CancellationTokenSource();
        using var abandon = new CancellationTokenSource();
        var run = Task.Run(() => new AgentRunner(harness.Options(), logs).RunAsync(drain.Token, kill.Token, abandon.Token));
        var stuck = harness.Script("echo pid=$$; sleep 30");
        harness.Server.Enqueue(stuck);
        await Eventually.True(() => harness.Server.Log(stuck.Id).Contains("pid=", StringComparison.Ordinal), "the script to start");
        var pid = Processes.PidOnLine(harness.Server.Log(stuck.Id), "pid=");
        harness.Server.FailNextRequests(int.MaxValue); // the server answers everything with 503: the kill's report cannot get through

        await drain.CancelAsync();
        await kill.CancelAsync();
        await Eventually.True(() => Processes.IsDead(pid), "the script killed");
        // The kill is done, yet the agent keeps calling the server: the runner is still there, waiting for the kill's
        // report to be acknowledged.
        var refusedBefore = harness.Server.RefusedPaths().Count;
        await Eventually.True(() => harness.Server.RefusedPaths().Count >= refusedBefore + 3 || run.IsCompleted, "calls after the kill");
        Assert.False(run.IsCompleted, "the runner returned before its report was acknowledged or abandoned");
        Assert.DoesNotContain(logs.Entries, e => e.Message.StartsWith("Drained", StringComparison.Ordinal));
        await abandon.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(harness.Server.Finished(stuck.Id));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Drain time is up: killing 1 running", StringComparison.Ordinal));
    }

    /// <summary>
    /// Waits until the drain waits for the held assignments: the polls ask for nothing once they were drained, and
    /// the runner then goes straight on to wait for what it holds. A runner that returns first fails the test here.
    /// </summary>
    private static async Task WaitForDrainToWaitAsync(AgentHarness harness, Task run)
    {
        await Eventually.True(() => harness.Server.Heartbeats().Any(h => h.Draining) || run.IsCompleted, "a draining heartbeat");
        var pollsBefore = harness.Server.Polls().Count;
        await Eventually.True(() => harness.Server.Polls().Skip(pollsBefore).Any(p => p.MaxAssignments == 0) || run.IsCompleted, "a poll that asks for nothing");
        Assert.False(run.IsCompleted, "the runner returned while its assignment still ran");
    }
}
