using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Reporting;
using Orchestrator.Agent.Tests.Infrastructure;

namespace Orchestrator.Agent.Tests.Reporting;

/// <summary>
/// A report the server will not or cannot store never wedges the agent's reporting: a refused item is replaced by a
/// marker in the run's log (or, for a Finished event, sent again without what was refused, and then as a last resort
/// with nothing the server could refuse), and a batch the server keeps failing with 500 is split until the item at
/// fault is alone, parked and, in the end, given up — while every other report flows. The 500 cases run the sender on
/// a clock the test moves (<see cref="ReportLine"/>), so each attempt's time is exact, whatever the machine's load.
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
    public async Task Reports_FinishedRefusedTwice_IsSentOnceMoreAsTheLastResort_AndTheTargetEnds()
    {
        await using var harness = await AgentHarness.StartAsync();
        var refused = harness.Script("echo out; echo '::set-output v=1'; exit 3");
        // Refuses the first two forms (both carry the exit code), accepts the last resort (which does not).
        harness.Server.RefuseEvent = e => e is { Type: AgentEventType.Finished, ExitCode: not null } && e.AssignmentId == refused.Id ? "events[0].exitCode: not this one" : null;

        var finished = await harness.EnqueueAndWaitAsync(refused);
        var later = await harness.EnqueueAndWaitAsync(harness.Script("echo later"));

        Assert.Equal(new AgentEvent
        {
            AssignmentId = refused.Id,
            Type = AgentEventType.Finished,
            At = finished.At,
            Outcome = AgentOutcome.Error,
            Message = ReportQueue.LastResortMessage,
        }, finished);
        Assert.Single(harness.Server.Events(refused.Id), e => e.Type == AgentEventType.Finished);
        var chunks = harness.Server.Chunks(refused.Id);
        Assert.Equal("out\n::set-output v=1\n", harness.Server.Log(refused.Id, "stdout"));
        Assert.Equal(
            [
                "[orchestrator-agent: the finished event was refused (events[0].exitCode: not this one); it was sent again without outputs, progress message and start time]\n",
                "[orchestrator-agent: the finished event was refused again (events[0].exitCode: not this one); it was sent once more with outcome error and nothing else, so the target ends]\n",
            ], chunks.Skip(chunks.Count - 2).Select(c => c.Text));
        Assert.Equal(["system", "system"], chunks.Skip(chunks.Count - 2).Select(c => c.Stream));
        Assert.Equal((AgentOutcome.Succeeded, "later\n"), (later.Outcome, harness.Server.Log(later.AssignmentId)));
    }

    [Fact]
    public async Task Reports_EveryFinishedFormRefused_IsDroppedWithAnErrorInTheAgentsLog_AndTheAssignmentLetGo()
    {
        var logs = new CapturedLogs();
        await using var harness = await AgentHarness.StartServerAsync();
        harness.StartAgent(loggerFactory: logs);
        var refused = harness.Script("echo out");
        const string reason = "events[0].assignmentId: not one this server handed out";
        harness.Server.RefuseEvent = e => e.Type == AgentEventType.Finished && e.AssignmentId == refused.Id ? reason : null;
        harness.Server.Enqueue(refused);

        var dropped = await Eventually.Until(() => logs.Entries.SingleOrDefault(e => e.Message.Contains($"Finished event of {refused.Id} and dropped it", StringComparison.Ordinal)),
            e => e is not null, "the agent to drop the last resort");

        Assert.Equal(LogLevel.Error, dropped!.Level);
        Assert.Contains("the server refused even the bare finished report", dropped.Message, StringComparison.Ordinal);
        Assert.EndsWith(": " + reason, dropped.Message, StringComparison.Ordinal);
        Assert.Null(harness.Server.Finished(refused.Id));
        Assert.Equal(3, harness.Server.Chunks(refused.Id).Count); // the output and the two markers, each stored before the next form went
        // Let go: the agent no longer lists it as held (it did until then), so a drain does not wait for it forever.
        var pollsBefore = harness.Server.Polls().Count;
        await Eventually.True(() => harness.Server.Polls().Skip(pollsBefore).Any(p => !p.Running.Contains(refused.Id)), "a poll that no longer lists it");
        var later = await harness.EnqueueAndWaitAsync(harness.Script("echo later"));
        Assert.Equal(AgentOutcome.Succeeded, later.Outcome);
    }

    [Fact]
    public async Task Reports_ChunkTheServerFailsWith500Forever_DoesNotHoldUpOtherReportsAndIsQuarantinedInTheEnd()
    {
        var backoffMax = TimeSpan.FromSeconds(1);
        var quarantineAfter = TimeSpan.FromSeconds(4);
        await using var line = await ReportLine.CreateAsync(o =>
        {
            o.RetryBackoffMax = backoffMax;
            o.ReportQuarantineAfter = quarantineAfter;
        });
        line.Server.FailChunk = c => c.Text.Contains("POISON", StringComparison.Ordinal);
        foreach (var text in new[] { "good\n", "POISON\n", "after\n" })
        {
            line.Queue.AppendChunk("p", "stdout", text);
        }
        line.Queue.AddEvent(Finished(line, "p"));
        line.StartSending();

        // Split until the poisoned chunk is alone; failing alone, it is parked, and the chunks around it are stored.
        await line.StepUntilAsync(() => line.Server.Chunks("p").Count == 2, "the chunks around the poisoned one stored");
        var parkedUntil = await line.WaitUntilSenderWaitsAsync();
        var splitting = line.Server.LogCalls();
        Assert.Equal(["500 p0 p1 p2", "500 p0 p1 p2", "200 p0", "500 p1 p2", "500 p1 p2", "500 p1", "200 p2"], splitting.Select(Shown));
        var firstFailure = splitting[0].At;
        var aloneFailure = splitting[5].At;
        Assert.Equal(aloneFailure + backoffMax, parkedUntil);

        // Other reports flow while it is parked: nothing waits for it (the clock does not even move).
        var parkedAt = line.Clock.GetUtcNow();
        line.Queue.AppendChunk("b", "stdout", "one\n");
        line.Queue.AddEvent(Finished(line, "b"));
        await line.Server.WaitForFinishedAsync("b");
        Assert.Equal(parkedAt, line.Clock.GetUtcNow());
        Assert.Equal("one\n", line.Server.Log("b"));
        Assert.Null(line.Server.Finished("p"));

        await line.StepUntilAsync(() => line.Server.Finished("p") is not null, "the poisoned assignment's Finished");

        // Parked, it is tried alone once per back-off maximum (the park time; the back-off between attempts, reset by
        // the last success, stays below it: 100, 200, 400 ms, give or take 20 %) and given up at the first attempt past
        // the quarantine time. Its first failure came 0.48-0.72 s before it was parked (four back-offs of 100 or 200 ms,
        // give or take 20 %), so that is the fourth: 3.5-3.7 s after the first failure, then 4.5-4.7 s.
        var calls = line.Server.LogCalls();
        Assert.Equal(["200 b0", "500 p1", "500 p1", "500 p1", "500 p1", "200 p1"], calls.Skip(splitting.Count).Select(Shown));
        var attempts = calls.Skip(splitting.Count + 1).Take(4).Select(c => c.At).ToList();
        Assert.Equal(Enumerable.Range(1, 4).Select(k => aloneFailure + (k * backoffMax)), attempts);
        Assert.True(attempts[2] - firstFailure < quarantineAfter, $"third attempt {attempts[2] - firstFailure} after the first failure");
        Assert.True(attempts[3] - firstFailure >= quarantineAfter, $"fourth attempt {attempts[3] - firstFailure} after the first failure");
        Assert.Equal(9, line.Server.ServerErrors);

        var chunks = line.Server.Chunks("p");
        Assert.Equal(("good\n", "after\n"), (chunks[0].Text, chunks[2].Text));
        Assert.Equal("system", chunks[1].Stream);
        Assert.StartsWith(
            $"[orchestrator-agent: log chunk 1 (7 characters of stdout) was dropped: the server failed it 9 times in {(attempts[3] - firstFailure).TotalSeconds:0} s while storing other reports (last: ",
            chunks[1].Text, StringComparison.Ordinal);
        Assert.Equal(3, line.Server.Finished("p")!.LogChunks);
    }

    [Fact]
    public async Task Reports_ServerFailingEverythingLongPastTheQuarantineTime_LosesNothingOnceItRecovers()
    {
        var backoffMax = TimeSpan.FromSeconds(1);
        var quarantineAfter = TimeSpan.FromSeconds(2);
        await using var line = await ReportLine.CreateAsync(o =>
        {
            o.RetryBackoffMax = backoffMax;
            o.ReportQuarantineAfter = quarantineAfter;
        });
        line.Server.FailChunk = _ => true;
        string[] ids = ["a0", "a1", "a2"];
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            line.Queue.AppendChunk(id, "stdout", $"first {i}\n");
            line.Queue.AppendChunk(id, "stdout", $"second {i}\n");
            line.Queue.AddEvent(Finished(line, id));
        }
        line.StartSending();

        // Fail everything for fifteen times the quarantine time: nothing was stored meanwhile, so nothing is given up.
        var outage = 15 * quarantineAfter;
        await line.StepUntilAsync(() => line.Clock.GetUtcNow() - ReportLine.Start >= outage, "the outage to last");
        var failed = line.Server.LogCalls();
        Assert.All(failed, c => Assert.Equal(500, c.Status));
        // Never a tight loop: a failed request is followed by a back-off of at least 80 ms (100 ms less 20 %); and
        // never idle: at most 1.2 s (the back-off maximum plus 20 %) or the park time (the maximum) passes between two.
        Assert.All(failed.Zip(failed.Skip(1)), pair => Assert.InRange(pair.Second.At - pair.First.At, TimeSpan.FromMilliseconds(80), 1.2 * backoffMax));
        Assert.Equal(6, line.Queue.PendingChunks().Count);
        Assert.All(line.Queue.PendingChunks(), c => Assert.Equal("stdout", c.Stream)); // no marker took any chunk's place
        Assert.Empty(line.Server.Events());

        line.Server.FailChunk = _ => false;
        await line.StepUntilAsync(() => ids.All(id => line.Server.Finished(id) is not null), "every Finished after the recovery");

        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            Assert.Equal($"first {i}\nsecond {i}\n", line.Server.Log(id));
            Assert.Equal(2, line.Server.Finished(id)!.LogChunks);
        }
        Assert.Equal(0, line.Server.DuplicateChunks);
    }

    private static AgentEvent Finished(ReportLine line, string id) =>
        new() { AssignmentId = id, Type = AgentEventType.Finished, At = line.Clock.GetUtcNow(), Outcome = AgentOutcome.Succeeded, ExitCode = 0 };

    /// <summary>A /logs call as "status chunk chunk…", a chunk as its assignment and seq.</summary>
    private static string Shown(LogsCall call) => $"{call.Status} {string.Join(" ", call.Chunks.Select(c => $"{c.AssignmentId}{c.Seq}"))}";
}
