using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Transport;

namespace Orchestrator.Agent.Reporting;

/// <summary>
/// Sends what <see cref="ReportQueue"/> holds: a batch of events that may go, then a batch of chunks, then a parked
/// item that is due, again and again. One sender keeps the per-assignment order trivially; batches amortise the
/// calls (up to 1,000 events or chunks per call). What the server says decides each item's fate:
/// <list type="bullet">
/// <item>stored: gone; refused (listed in the answer, or rejected with a 4xx when sent alone): given up, with a
/// marker in the run's log (<see cref="ReportQueue.GiveUp"/>). A 4xx for a whole batch (a server that does not answer
/// per item) halves the batch until the item at fault is alone.</item>
/// <item>a 500 (the server failed on this request; outages — connection errors, 502/503/504 — are retried by
/// <see cref="AgentApiClient"/> without counting): sent again after a back-off, in halves after two in a row; an item
/// that still fails alone is parked and retried alone, so the reports behind it flow. A parked item is given up
/// (quarantined) only once it has failed <see cref="AttemptsBeforeQuarantine"/> times alone, for at least
/// <see cref="AgentOptions.ReportQuarantineAfter"/>, while the server stored other reports since its first failure —
/// so an outage of the whole server never costs a report.</item>
/// </list>
/// </summary>
internal sealed partial class ReportSender(ReportQueue queue, AgentApiClient client, AgentOptions options, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>Server errors in a row before a batch is halved, and failures of an item before it is parked.</summary>
    private const int ErrorsBeforeSplit = 2;

    /// <summary>Attempts alone before a parked item may be given up.</summary>
    private const int AttemptsBeforeQuarantine = 3;

    /// <summary>Parked items that may only be victims of an outage (nothing stored since they first failed), at most;
    /// beyond that the sender stops setting items aside and just waits.</summary>
    private const int MaxParkedWithoutSuccess = 4;

    private readonly Lane events = new("events", ReportQueue.MaxEventsPerBatch, options.RetryBackoffMax);
    private readonly Lane chunks = new("logs", ReportQueue.MaxChunksPerBatch, options.RetryBackoffMax);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sent = false;
            var takenEvents = queue.TakeEvents(events.Limit);
            if (takenEvents.Count > 0)
            {
                await SendAsync(takenEvents, events, cancellationToken).ConfigureAwait(false);
                sent = true;
            }
            var takenChunks = queue.TakeChunks(chunks.Limit);
            if (takenChunks.Count > 0)
            {
                await SendAsync(takenChunks, chunks, cancellationToken).ConfigureAwait(false);
                sent = true;
            }
            if (queue.TakeDueParked() is { } parked)
            {
                await SendAsync([parked], parked is PendingEvent ? events : chunks, cancellationToken).ConfigureAwait(false);
                sent = true;
            }
            if (!sent)
            {
                if (queue.UntilNextParked() is { } wait)
                {
                    await queue.Added.WaitAsync(wait, timeProvider, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await queue.Added.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task SendAsync(IReadOnlyList<PendingReport> batch, Lane lane, CancellationToken cancellationToken)
    {
        AckResponse ack;
        try
        {
            ack = lane == events
                ? await client.SendEventsAsync([.. batch.Cast<PendingEvent>().Select(e => e.Event)], cancellationToken).ConfigureAwait(false)
                : await client.SendLogsAsync([.. batch.Cast<PendingChunk>().Select(c => c.Chunk)], cancellationToken).ConfigureAwait(false);
        }
        catch (AgentServerErrorException ex)
        {
            await OnServerErrorAsync(batch, lane, ex.Message, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (AgentApiException ex)
        {
            OnRejected(batch, lane, ex.Message);
            return;
        }
        await ApplyAsync(batch, lane, ack, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A 4xx for the whole request: halve the batch, or give up the item when it was alone.</summary>
    private void OnRejected(IReadOnlyList<PendingReport> batch, Lane lane, string reason)
    {
        if (batch.Count > 1)
        {
            lane.Limit = Math.Max(1, batch.Count / 2);
            queue.Release(batch);
            Log.BatchRejected(logger, lane.Name, batch.Count, reason);
            return;
        }
        Log.GaveUp(logger, batch[0].Describe(), queue.GiveUp(batch[0], reason), reason);
    }

    /// <summary>Applies an answer: items stored, refused (given up) and failed (sent again, or parked).</summary>
    private async Task ApplyAsync(IReadOnlyList<PendingReport> batch, Lane lane, AckResponse ack, CancellationToken cancellationToken)
    {
        var refused = new Dictionary<int, string>();
        var failed = new Dictionary<int, string>();
        foreach (var problem in ack.Refused ?? [])
        {
            if (problem is not null && problem.Index >= 0 && problem.Index < batch.Count)
            {
                refused[problem.Index] = problem.Reason ?? "refused by the server";
            }
        }
        foreach (var problem in ack.Failed ?? [])
        {
            if (problem is not null && problem.Index >= 0 && problem.Index < batch.Count && !refused.ContainsKey(problem.Index))
            {
                failed[problem.Index] = problem.Reason ?? "failed on the server";
            }
        }
        queue.Acknowledge(batch.Where((_, i) => !refused.ContainsKey(i) && !failed.ContainsKey(i)).ToList());
        var now = timeProvider.GetUtcNow();
        if (failed.Count < batch.Count)
        {
            lane.Succeeded(now);
        }
        foreach (var (index, reason) in refused)
        {
            Log.GaveUp(logger, batch[index].Describe(), queue.GiveUp(batch[index], reason), reason);
        }
        if (failed.Count == 0)
        {
            return;
        }
        foreach (var (index, reason) in failed)
        {
            Failed(batch[index], lane, reason, now);
        }
        await Task.Delay(lane.NextDelay(), timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private async Task OnServerErrorAsync(IReadOnlyList<PendingReport> batch, Lane lane, string reason, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        lane.ErrorsInARow++;
        Log.ServerFailed(logger, lane.Name, batch.Count, reason);
        if (batch.Count == 1)
        {
            Failed(batch[0], lane, reason, now);
        }
        else
        {
            foreach (var item in batch)
            {
                item.ServerErrors++;
                item.FirstFailureAt ??= now;
            }
            if (lane.ErrorsInARow >= ErrorsBeforeSplit)
            {
                lane.Limit = Math.Max(1, batch.Count / 2);
            }
            queue.Release(batch);
        }
        await Task.Delay(lane.NextDelay(), timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The server failed this item (alone, or in an answer listing it): send it again, park it, or give it up.</summary>
    private void Failed(PendingReport item, Lane lane, string reason, DateTimeOffset now)
    {
        item.ServerErrors++;
        var first = item.FirstFailureAt ??= now;
        var parkUntil = now + options.RetryBackoffMax;
        if (item.IsParked)
        {
            item.ParkedAttempts++;
            var failingFor = now - first;
            if (item.ParkedAttempts >= AttemptsBeforeQuarantine && failingFor >= options.ReportQuarantineAfter && lane.LastSuccess > first)
            {
                var why = $"the server failed it {item.ServerErrors} times in {failingFor.TotalSeconds:0} s while storing other reports (last: {reason})";
                Log.GaveUp(logger, item.Describe(), queue.GiveUp(item, why), why);
                return;
            }
            queue.Park(item, parkUntil);
            return;
        }
        if (item.ServerErrors >= ErrorsBeforeSplit && queue.ParkedWithoutSuccessSince(item is PendingEvent, lane.LastSuccess) < MaxParkedWithoutSuccess)
        {
            Log.Parked(logger, item.Describe(), item.ServerErrors, reason);
            queue.Park(item, parkUntil);
            return;
        }
        queue.Release([item]);
    }

    /// <summary>Per endpoint: the batch size in force, server errors in a row, the back-off, the last success.</summary>
    private sealed class Lane(string name, int maxBatch, TimeSpan backoffMax)
    {
        private Backoff backoff = new(backoffMax);

        public string Name { get; } = name;

        public int Limit { get; set; } = Math.Max(1, maxBatch);

        public int ErrorsInARow { get; set; }

        /// <summary>When the server last stored something on this endpoint (evidence that it can).</summary>
        public DateTimeOffset? LastSuccess { get; private set; }

        public TimeSpan NextDelay() => backoff.Next();

        /// <summary>The server stored (or refused) something: batches grow back, the back-off starts over.</summary>
        public void Succeeded(DateTimeOffset now)
        {
            LastSuccess = now;
            ErrorsInARow = 0;
            Limit = (int)Math.Min(Math.Max(1, maxBatch), (long)Limit * 2);
            backoff = new Backoff(backoffMax);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "The server rejected a batch of {Count} {Endpoint} ({Reason}); sending it in halves")]
        public static partial void BatchRejected(ILogger logger, string endpoint, int count, string reason);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Gave up on the {Item} and {Done}: {Reason}")]
        public static partial void GaveUp(ILogger logger, string item, string done, string reason);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "The server failed a batch of {Count} {Endpoint} ({Reason}); sending it again")]
        public static partial void ServerFailed(ILogger logger, string endpoint, int count, string reason);

        [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "The server failed the {Item} {Failures} times ({Reason}); retrying it alone, apart from the other reports")]
        public static partial void Parked(ILogger logger, string item, int failures, string reason);
    }
}
