using Orchestrator.Agent.Execution;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Reporting;

namespace Orchestrator.Agent.Tests.Execution;

public sealed class OutputChunkerTests
{
    private readonly ReportQueue queue = new(1024 * 1024);

    [Fact]
    public void Write_LinesBeforeFlush_GoInOneChunkWithConsecutiveSeq()
    {
        var log = Log();
        var chunker = new OutputChunker("stdout", log, 1000);

        chunker.Write("one\ntwo\n");
        chunker.Write("thr");
        chunker.Flush(final: false);
        chunker.Write("ee\n");
        chunker.Flush(final: true);

        var chunks = queue.PeekChunks();
        Assert.Equal(["one\ntwo\n", "three\n"], chunks.Select(c => c.Text));
        Assert.Equal([0L, 1L], chunks.Select(c => c.Seq));
        Assert.Equal(2, log.ChunkCount);
    }

    [Fact]
    public void Write_LongLineWithSecretAcrossCut_NeverSendsAnyPartOfIt()
    {
        const string secret = "TOPSECRETVALUE";
        var log = Log(secret);
        var chunker = new OutputChunker("stdout", log, 16);
        var line = new string('x', 10) + secret + new string('y', 30) + "\n";

        // Written a character at a time, so every possible cut point is tried.
        foreach (var c in line)
        {
            chunker.Write([c]);
        }
        chunker.Flush(final: true);

        var text = string.Concat(queue.PeekChunks().Select(c => c.Text));
        Assert.Equal(new string('x', 10) + "***" + new string('y', 30) + "\n", text);
        Assert.All(queue.PeekChunks(), c => Assert.DoesNotContain("TOP", c.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Write_CommandSplitAcrossWrites_IsRead()
    {
        var log = Log();
        var chunker = new OutputChunker("stdout", log, 1000);

        chunker.Write("::set-out");
        chunker.Write("put name=va");
        chunker.Write("lue with spaces\r\n::progress 150% over\n::progress x%\n");

        Assert.Equal("value with spaces", log.Outputs()?["name"]);
        var progress = Assert.Single(queue.TakeEvents());
        Assert.Equal(100, progress.Value.Event.Percent);
        Assert.Equal("over", progress.Value.Event.Message);
    }

    private AssignmentLog Log(params string[] secrets) => new("a-1", queue, new SecretMasker(secrets), TimeProvider.System);
}

public sealed class ReportQueueTests
{
    [Fact]
    public void TakeEvents_FinishedWithUnacknowledgedChunks_WaitsForThem()
    {
        var queue = new ReportQueue(1024);
        queue.AddEvent(Event("a", AgentEventType.Started));
        queue.AddChunk(new LogChunkDto("a", 0, DateTimeOffset.UnixEpoch, "stdout", "x\n"));
        queue.AddEvent(Event("a", AgentEventType.Finished));
        queue.AddEvent(Event("b", AgentEventType.Finished));

        var first = queue.TakeEvents();
        Assert.Equal([("a", AgentEventType.Started), ("b", AgentEventType.Finished)], first.Select(n => (n.Value.Event.AssignmentId, n.Value.Event.Type)));
        queue.AcknowledgeEvents(first);
        Assert.Empty(queue.TakeEvents());

        queue.AcknowledgeChunks(queue.PeekChunks().Count);
        var second = Assert.Single(queue.TakeEvents());
        Assert.Equal(("a", AgentEventType.Finished), (second.Value.Event.AssignmentId, second.Value.Event.Type));
    }

    [Fact]
    public void AddEvent_ProgressWhileEarlierProgressWaits_KeepsOnlyLatest()
    {
        var queue = new ReportQueue(1024);
        queue.AddEvent(Event("a", AgentEventType.Progress) with { Percent = 10 });
        queue.AddEvent(Event("a", AgentEventType.Progress) with { Percent = 20 });
        var inFlight = queue.TakeEvents();
        queue.AddEvent(Event("a", AgentEventType.Progress) with { Percent = 30 });

        Assert.Equal([20], inFlight.Select(n => n.Value.Event.Percent));
        queue.AcknowledgeEvents(inFlight);
        Assert.Equal([30], queue.TakeEvents().Select(n => n.Value.Event.Percent));
    }

    private static AgentEvent Event(string id, AgentEventType type) => new() { AssignmentId = id, Type = type, At = DateTimeOffset.UnixEpoch };
}
