using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Reporting;

namespace Orchestrator.Agent.Tests.Reporting;

public sealed class ReportQueueTests
{
    private readonly ManualClock clock = new();

    [Fact]
    public void TakeEvents_FinishedWithUnacknowledgedChunks_WaitsForThemAndCountsThem()
    {
        var queue = new ReportQueue(1024, clock);
        queue.AddEvent(Event("a", AgentEventType.Started));
        queue.AppendChunk("a", "stdout", "x\n");
        queue.AddEvent(Event("a", AgentEventType.Finished));
        queue.AddEvent(Event("b", AgentEventType.Finished));

        var first = queue.TakeEvents();
        Assert.Equal([("a", AgentEventType.Started), ("b", AgentEventType.Finished)], first.Select(e => (e.AssignmentId, e.Event.Type)));
        queue.Acknowledge(first);
        Assert.Empty(queue.TakeEvents());

        queue.Acknowledge(queue.TakeChunks());
        var second = Assert.Single(queue.TakeEvents());
        Assert.Equal((AgentEventType.Finished, 1L), (second.Event.Type, second.Event.LogChunks));
    }

    [Fact]
    public void AddEvent_ProgressWhileEarlierProgressWaits_KeepsOnlyLatest()
    {
        var queue = new ReportQueue(1024, clock);
        queue.AddEvent(Event("a", AgentEventType.Progress) with { Percent = 10 });
        queue.AddEvent(Event("a", AgentEventType.Progress) with { Percent = 20 });
        var inFlight = queue.TakeEvents();
        queue.AddEvent(Event("a", AgentEventType.Progress) with { Percent = 30 });

        Assert.Equal([20], inFlight.Select(e => e.Event.Percent));
        queue.Acknowledge(inFlight);
        Assert.Equal([30], queue.TakeEvents().Select(e => e.Event.Percent));
    }

    [Fact]
    public void GiveUp_Chunk_IsReplacedByAMarkerAtTheSameSeq()
    {
        var queue = new ReportQueue(1024, clock);
        queue.AppendChunk("a", "stdout", "one\n");
        queue.AppendChunk("a", "stdout", "two\n");
        var batch = queue.TakeChunks();

        queue.Acknowledge([batch[0]]);
        queue.GiveUp(batch[1], "chunks[1].text: too long");

        var marker = Assert.Single(queue.TakeChunks());
        Assert.Equal((1L, "system"), (marker.Chunk.Seq, marker.Chunk.Stream));
        Assert.Equal("[orchestrator-agent: log chunk 1 (4 characters of stdout) was dropped: chunks[1].text: too long]\n", marker.Chunk.Text);
        Assert.Equal(2, queue.ChunkCount("a"));

        // A refused marker is not replaced again: it is dropped, and the assignment's Finished may go.
        queue.AddEvent(Event("a", AgentEventType.Finished));
        Assert.Empty(queue.TakeEvents());
        queue.GiveUp(marker, "refused again");
        Assert.Empty(queue.TakeChunks());
        Assert.Equal(2L, Assert.Single(queue.TakeEvents()).Event.LogChunks);
    }

    [Fact]
    public void GiveUp_Finished_IsSentAgainWithoutOutputsAfterAMarkerChunkItCounts()
    {
        var queue = new ReportQueue(1024, clock);
        var acknowledged = 0;
        queue.AppendChunk("a", "stdout", "out\n");
        queue.Acknowledge(queue.TakeChunks());
        queue.AddEvent(Event("a", AgentEventType.Finished) with
        {
            Outcome = AgentOutcome.Succeeded,
            ExitCode = 0,
            Outputs = new Dictionary<string, string> { ["v"] = "x" },
            StartedAt = clock.GetUtcNow(),
        }, () => acknowledged++);
        var finished = Assert.Single(queue.TakeEvents());
        Assert.Equal(1L, finished.Event.LogChunks);

        queue.GiveUp(finished, "events[0].outputs.v: too long");

        Assert.Empty(queue.TakeEvents()); // waits for the marker chunk
        var marker = Assert.Single(queue.TakeChunks());
        Assert.Equal((1L, "system"), (marker.Chunk.Seq, marker.Chunk.Stream));
        Assert.Contains("the finished event was refused (events[0].outputs.v: too long)", marker.Chunk.Text, StringComparison.Ordinal);
        queue.Acknowledge([marker]);
        var fallback = Assert.Single(queue.TakeEvents());
        Assert.Equal((AgentOutcome.Succeeded, 0, 2L), (fallback.Event.Outcome, fallback.Event.ExitCode, fallback.Event.LogChunks));
        Assert.Null(fallback.Event.Outputs);
        Assert.Null(fallback.Event.StartedAt);
        Assert.Contains("refused", fallback.Event.Message, StringComparison.Ordinal);
        Assert.Equal(0, acknowledged);
    }

    [Fact]
    public void GiveUp_FinishedRefusedTwice_IsSentOnceMoreAsTheLastResort_AfterASecondMarker()
    {
        var queue = new ReportQueue(1024, clock);
        var acknowledged = 0;
        queue.AddEvent(Event("a", AgentEventType.Finished) with
        {
            Outcome = AgentOutcome.Failed,
            ExitCode = 3,
            Message = "exit 3",
            Outputs = new Dictionary<string, string> { ["v"] = "x" },
            UploadedSha256 = new string('a', 64),
            StartedAt = clock.GetUtcNow(),
        }, () => acknowledged++);
        queue.GiveUp(Assert.Single(queue.TakeEvents()), "events[0].outputs.v: no");
        queue.Acknowledge(queue.TakeChunks());
        var fallback = Assert.Single(queue.TakeEvents());
        clock.Advance(TimeSpan.FromSeconds(7));

        var done = queue.GiveUp(fallback, "events[0].uploadedSha256: no");

        Assert.Equal("sends it once more with outcome error and nothing else", done);
        Assert.Empty(queue.TakeEvents()); // waits for the second marker chunk
        var marker = Assert.Single(queue.TakeChunks());
        Assert.Equal((1L, "system"), (marker.Chunk.Seq, marker.Chunk.Stream));
        Assert.Equal("[orchestrator-agent: the finished event was refused again (events[0].uploadedSha256: no); it was sent once more with outcome error and nothing else, so the target ends]\n",
            marker.Chunk.Text);
        queue.Acknowledge([marker]);
        var last = Assert.Single(queue.TakeEvents());
        Assert.True(last.IsLastResort);
        Assert.Equal(new AgentEvent
        {
            AssignmentId = "a",
            Type = AgentEventType.Finished,
            At = clock.GetUtcNow(),
            Outcome = AgentOutcome.Error,
            Message = ReportQueue.LastResortMessage,
        }, last.Event); // no logChunks either: nothing the gateway could refuse but the id
        Assert.True(ReportQueue.LastResortMessage.All(char.IsAscii));
        Assert.Equal(0, acknowledged);

        queue.Acknowledge([last]);
        Assert.Equal(1, acknowledged);
        Assert.Empty(queue.TakeEvents());
        Assert.Empty(queue.TakeChunks());
    }

    [Fact]
    public void GiveUp_LastResortRefused_IsDroppedAndTheAssignmentLetGo()
    {
        var queue = new ReportQueue(1024, clock);
        var acknowledged = 0;
        queue.AddEvent(Event("a", AgentEventType.Finished) with { Outcome = AgentOutcome.Succeeded, ExitCode = 0 }, () => acknowledged++);
        queue.GiveUp(Assert.Single(queue.TakeEvents()), "first");
        queue.Acknowledge(queue.TakeChunks());
        queue.GiveUp(Assert.Single(queue.TakeEvents()), "second");
        queue.Acknowledge(queue.TakeChunks());
        var last = Assert.Single(queue.TakeEvents());

        var done = queue.GiveUp(last, "events[0].assignmentId: not an assignment id");

        Assert.StartsWith("dropped it: the server refused even the bare finished report", done, StringComparison.Ordinal);
        Assert.Equal(1, acknowledged);
        Assert.Empty(queue.TakeEvents());
        Assert.Empty(queue.TakeChunks());
        Assert.Equal(0, queue.ChunkCount("a")); // let go: nothing more is numbered for it
    }

    [Fact]
    public void GiveUp_ProgressWhileTheLogIsOpen_DropsItWithAMarkerTheFinishedCounts()
    {
        var queue = new ReportQueue(1024, clock);
        queue.AddEvent(Event("a", AgentEventType.Progress) with { Percent = 50 });
        var progress = Assert.Single(queue.TakeEvents());

        queue.GiveUp(progress, "events[0].message: too long");
        queue.AddEvent(Event("a", AgentEventType.Finished));

        var marker = Assert.Single(queue.TakeChunks());
        Assert.Equal("[orchestrator-agent: the progress event was dropped: events[0].message: too long]\n", marker.Chunk.Text);
        queue.Acknowledge([marker]);
        Assert.Equal(1L, Assert.Single(queue.TakeEvents()).Event.LogChunks);
    }

    [Fact]
    public void Park_AnEvent_HoldsBackOnlyItsOwnAssignmentsLaterEventsUntilDue()
    {
        var queue = new ReportQueue(1024, clock);
        queue.AddEvent(Event("a", AgentEventType.Started));
        queue.AddEvent(Event("b", AgentEventType.Started));
        var first = queue.TakeEvents();
        queue.Acknowledge([first[1]]);
        queue.Park(first[0], clock.GetUtcNow().AddSeconds(2));
        queue.AddEvent(Event("a", AgentEventType.Finished));
        queue.AddEvent(Event("b", AgentEventType.Finished));

        Assert.Equal([("b", AgentEventType.Finished)], queue.TakeEvents().Select(e => (e.AssignmentId, e.Event.Type)));
        Assert.Null(queue.TakeDueParked());
        Assert.Equal(TimeSpan.FromSeconds(2), queue.UntilNextParked());

        clock.Advance(TimeSpan.FromSeconds(2));
        var due = Assert.IsType<PendingEvent>(queue.TakeDueParked());
        Assert.Equal(("a", AgentEventType.Started), (due.AssignmentId, due.Event.Type));
        queue.Acknowledge([due]);
        Assert.Null(queue.UntilNextParked());
        Assert.Equal([("a", AgentEventType.Finished)], queue.TakeEvents().Select(e => (e.AssignmentId, e.Event.Type)));
    }

    [Fact]
    public void AddEvent_NulAndOverlongMessage_IsCleanedAndCutToTheProtocolsLimit()
    {
        var queue = new ReportQueue(1024, clock);
        queue.AddEvent(Event("a", AgentEventType.Progress) with { Message = "a\0" + new string('x', ProtocolLimits.MaxMessageChars) });

        var message = Assert.Single(queue.TakeEvents()).Event.Message!;
        Assert.Equal(ProtocolLimits.MaxMessageChars, message.Length);
        Assert.StartsWith("a\u2400x", message, StringComparison.Ordinal);
    }

    private AgentEvent Event(string id, AgentEventType type) => new() { AssignmentId = id, Type = type, At = clock.GetUtcNow() };
}

/// <summary>A clock that moves only when the test says so.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset now = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
