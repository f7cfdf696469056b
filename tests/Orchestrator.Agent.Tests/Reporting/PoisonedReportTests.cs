using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Reporting;

/// <summary>
/// A report the server will not or cannot store never wedges the agent's reporting: a refused item is replaced by a
/// marker in the run's log (or, for a Finished event, sent again without what was refused), and a batch the server
/// keeps failing with 500 is split until the item at fault is alone, parked and, in the end, given up — while every
/// other report flows.
/// </summary>
public sealed class PoisonedReportTests
{
    // With chunks of at most 5 characters, each of these lines is a chunk of its own, however the output is timed.
    private const string ThreeLines = "echo good; echo POISON; echo after";

    [Fact]
    public async Task Reports_ChunkRefusedByServer_IsReplacedByAMarkerAndLaterReportsFlow()
    {
        await using var harness = await AgentHarness.StartAsync(o => o.MaxChunkChars = 5);
        harness.Server.RefuseChunk = c => c.Text.Contains("POISON", StringComparison.Ordinal) ? "chunks[0].text: not this one" : null;

        var finished = await harness.EnqueueAndWaitAsync(harness.Script(ThreeLines));
        var later = await harness.EnqueueAndWaitAsync(harness.Script("echo later"));

        Assert.Equal((AgentOutcome.Succeeded, AgentOutcome.Succeeded), (finished.Outcome, later.Outcome));
        var chunks = harness.Server.Chunks(finished.AssignmentId);
        Assert.Equal(["good\n", "[orchestrator-agent: log chunk 1 (7 characters of stdout) was dropped: chunks[0].text: not this one]\n", "after\n"],
            chunks.Select(c => c.Text));
        Assert.Equal(["stdout", "system", "stdout"], chunks.Select(c => c.Stream));
        Assert.Equal(3, finished.LogChunks);
        Assert.Equal("later\n", harness.Server.Log(later.AssignmentId));
    }

    [Fact]
    public async Task Reports_FinishedRefusedForItsOutputs_IsSentAgainWithoutThemAndTheLogSaysWhy()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Server.RefuseEvent = e => e is { Type: AgentEventType.Finished, Outputs: not null } ? "events[0].outputs.v: not this one" : null;

        var finished = await harness.EnqueueAndWaitAsync(harness.Script("echo '::set-output v=1'; exit 3"));
        var later = await harness.EnqueueAndWaitAsync(harness.Script("echo later"));

        Assert.Equal((AgentOutcome.Failed, 3, (IReadOnlyDictionary<string, string>?)null), (finished.Outcome, finished.ExitCode, finished.Outputs));
        Assert.Contains("events[0].outputs.v: not this one", finished.Message, StringComparison.Ordinal);
        var chunks = harness.Server.Chunks(finished.AssignmentId);
        Assert.Equal(finished.LogChunks, chunks.Count);
        Assert.Equal("system", chunks[^1].Stream);
        Assert.Contains("the finished event was refused (events[0].outputs.v: not this one)", chunks[^1].Text, StringComparison.Ordinal);
        Assert.Equal(AgentOutcome.Succeeded, later.Outcome);
    }

    [Fact]
    public async Task Reports_ChunkTheServerFailsWith500Forever_DoesNotHoldUpOtherReportsAndIsQuarantinedInTheEnd()
    {
        var quarantineAfter = TimeSpan.FromSeconds(8);
        await using var harness = await AgentHarness.StartAsync(o =>
        {
            o.ReportQuarantineAfter = quarantineAfter;
            o.MaxChunkChars = 5;
        });
        harness.Server.FailChunk = c => c.Text.Contains("POISON", StringComparison.Ordinal);

        var poisoned = harness.Script(ThreeLines);
        harness.Server.Enqueue(poisoned);
        await Eventually.True(() => harness.Server.ServerErrors > 0, "the server to fail the poisoned chunk");
        var others = new[] { harness.Script("echo one"), harness.Script("echo two") };
        harness.Server.Enqueue(others);
        foreach (var other in others)
        {
            var done = await harness.Server.WaitForFinishedAsync(other.Id);
            Assert.Equal(AgentOutcome.Succeeded, done.Outcome);
        }
        // The others went through while the poisoned chunk was still failing: nothing waited for it.
        Assert.Null(harness.Server.Finished(poisoned.Id));
        Assert.Equal("one\n", harness.Server.Log(others[0].Id));

        var finished = await harness.Server.WaitForFinishedAsync(poisoned.Id, TimeSpan.FromSeconds(60));

        Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
        var chunks = harness.Server.Chunks(poisoned.Id);
        Assert.Equal(3, chunks.Count);
        Assert.Equal(("good\n", "after\n"), (chunks[0].Text, chunks[2].Text));
        Assert.Equal("system", chunks[1].Stream);
        Assert.StartsWith("[orchestrator-agent: log chunk 1 (7 characters of stdout) was dropped: the server failed it ", chunks[1].Text, StringComparison.Ordinal);
        // Bounded: the splits, then one attempt alone per back-off (300 ms here) until the quarantine time — not a
        // tight retry loop.
        Assert.InRange(harness.Server.ServerErrors, 5, 80);
    }

    [Fact]
    public async Task Reports_ServerFailingEverythingFor500s_LosesNothingOnceItRecovers()
    {
        await using var harness = await AgentHarness.StartAsync(o => o.ReportQuarantineAfter = TimeSpan.FromMilliseconds(500));
        await Eventually.True(() => harness.Server.Polls().Count > 0, "the first poll");
        harness.Server.FailChunk = _ => true;

        var assignments = Enumerable.Range(0, 3).Select(i => harness.Script($"echo first {i}; sleep 0.3; echo second {i}")).ToArray();
        harness.Server.Enqueue(assignments);
        // Fail everything for well past the quarantine time: nothing was stored meanwhile, so nothing is given up.
        await Eventually.True(() => harness.Server.ServerErrors >= 15, "the server to fail many requests");
        harness.Server.FailChunk = _ => false;

        foreach (var assignment in assignments)
        {
            var finished = await harness.Server.WaitForFinishedAsync(assignment.Id, TimeSpan.FromSeconds(60));
            Assert.Equal(AgentOutcome.Succeeded, finished.Outcome);
            var index = Array.IndexOf(assignments, assignment);
            Assert.Equal($"first {index}\nsecond {index}\n", harness.Server.Log(assignment.Id));
            Assert.Equal(finished.LogChunks, harness.Server.Chunks(assignment.Id).Count);
        }
    }
}
