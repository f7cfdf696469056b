using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Execution;

public sealed class KillTests
{
    // The script's background child must die with it: it is in the script's process group and session.
    private const string ScriptWithBackgroundChild = """
        sleep 1000 &
        echo "::set-output child=$!"
        echo "child=$!"
        wait
        """;

    [Fact]
    public async Task Script_TimesOut_KillsWholeProcessTreeAndReportsTimedOut()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = harness.Script(ScriptWithBackgroundChild, timeoutMs: 1500);

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.TimedOut, finished.Outcome);
        var child = Processes.ParsePid(finished.Outputs!["child"]);
        await Eventually.True(() => Processes.IsDead(child), $"background child {child} to be dead");
        Assert.Contains("Timed out after 1500 ms", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(harness.Directory, "state"), "pg-*.json"));
    }

    [Fact]
    public async Task Script_IgnoresSigterm_KilledWithSigkillAfterGrace()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = harness.Script("trap '' TERM\n" + ScriptWithBackgroundChild, timeoutMs: 1000);

        var finished = await harness.EnqueueAndWaitAsync(assignment);

        Assert.Equal(AgentOutcome.TimedOut, finished.Outcome);
        var child = Processes.ParsePid(finished.Outputs!["child"]);
        await Eventually.True(() => Processes.IsDead(child), $"background child {child} to be dead");
    }

    [Fact]
    public async Task Script_CancelledByServer_KillsWholeProcessTreeAndReportsCancelled()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = harness.Script(ScriptWithBackgroundChild);
        harness.Server.Enqueue(assignment);
        var log = await Eventually.Until(() => harness.Server.Log(assignment.Id, "stdout"), l => l.Contains("\nchild=", StringComparison.Ordinal) || l.StartsWith("child=", StringComparison.Ordinal), "the child's pid in the log");
        var child = Processes.PidOnLine(log, "child=");
        Assert.False(Processes.IsDead(child));

        harness.Server.Cancel(assignment.Id);
        var finished = await harness.Server.WaitForFinishedAsync(assignment.Id);

        Assert.Equal(AgentOutcome.Cancelled, finished.Outcome);
        await Eventually.True(() => Processes.IsDead(child), $"background child {child} to be dead");
        Assert.Contains("Cancelled by the server", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assignment_CancelledWhileWaitingForSlot_ReportsCancelledWithoutStarting()
    {
        await using var harness = await AgentHarness.StartServerAsync();
        // A server that hands out more than asked: the agent queues the extra one behind its single slot.
        harness.Server.IgnoreMaxAssignments = true;
        harness.StartAgent(o => o.Capacity = 1);
        var release = Path.Combine(harness.Directory, "release");
        var ran = Path.Combine(harness.Directory, "ran");
        var blocker = harness.Script($"while [ ! -e '{release}' ]; do sleep 0.05; done");
        var waiting = harness.Script($"touch '{ran}'");
        harness.Server.Enqueue(blocker, waiting);
        await Eventually.True(() => harness.Server.Events(blocker.Id).Any(e => e.Type == AgentEventType.Started), "the blocker to start");
        await Eventually.True(() => harness.Server.Polls().Any(p => p.Running.Contains(waiting.Id)), "the agent to hold the second one");

        harness.Server.Cancel(waiting.Id);
        var finished = await harness.Server.WaitForFinishedAsync(waiting.Id);
        await File.WriteAllTextAsync(release, "");
        await harness.Server.WaitForFinishedAsync(blocker.Id);

        Assert.Equal(AgentOutcome.Cancelled, finished.Outcome);
        Assert.Null(finished.StartedAt);
        Assert.DoesNotContain(harness.Server.Events(waiting.Id), e => e.Type == AgentEventType.Started);
        Assert.False(File.Exists(ran));
    }

    [Fact]
    public async Task Script_ExitsLeavingChildHoldingOutput_FinishesAfterDrainTimeoutAndLeavesChild()
    {
        await using var harness = await AgentHarness.StartAsync();
        var assignment = harness.Script("sleep 1000 &\necho \"::set-output child=$!\"\nexit 0");
        var finished = await harness.EnqueueAndWaitAsync(assignment);
        var child = Processes.ParsePid(finished.Outputs!["child"]);
        try
        {
            Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
            Assert.Contains("background processes still hold it open", harness.Server.Log(assignment.Id, "system"), StringComparison.Ordinal);
            // A script that exits by itself may leave a daemon behind on purpose; only timeouts and cancels kill the tree.
            Assert.False(Processes.IsDead(child));
        }
        finally
        {
            Processes.KillQuietly(child);
        }
    }
}
