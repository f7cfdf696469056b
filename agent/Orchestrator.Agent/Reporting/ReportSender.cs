using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Transport;

namespace Orchestrator.Agent.Reporting;

/// <summary>
/// Sends what <see cref="ReportQueue"/> holds: a batch of events that may go, then a batch of chunks, again and
/// again, each call retried by <see cref="AgentApiClient"/> until the server acknowledges it. One sender keeps the
/// per-assignment order trivially; batches amortise the calls (up to 1,000 events or chunks per call). A batch the
/// server rejects outright (a 4xx other than 401/403/404/408/410/429) is sent again one item at a time, and only the
/// items rejected on their own are dropped, so one bad item cannot hold up or take down the rest.
/// </summary>
internal sealed partial class ReportSender(ReportQueue queue, AgentApiClient client, ILogger logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sent = false;
            var events = queue.TakeEvents();
            if (events.Count > 0)
            {
                await SendAsync(events.Select(e => e.Value.Event).ToArray(), client.SendEventsAsync, e => e.AssignmentId, cancellationToken).ConfigureAwait(false);
                queue.AcknowledgeEvents(events);
                sent = true;
            }
            var chunks = queue.PeekChunks();
            if (chunks.Count > 0)
            {
                await SendAsync(chunks, client.SendLogsAsync, c => $"{c.AssignmentId}#{c.Seq}", cancellationToken).ConfigureAwait(false);
                queue.AcknowledgeChunks(chunks.Count);
                sent = true;
            }
            if (!sent)
            {
                await queue.Added.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SendAsync<T>(IReadOnlyList<T> batch, Func<IReadOnlyList<T>, CancellationToken, Task<AckResponse>> send, Func<T, string> describe,
        CancellationToken cancellationToken)
    {
        try
        {
            await send(batch, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (AgentApiException ex) when (batch.Count > 1)
        {
            Log.BatchRejected(logger, batch.Count, ex.Message);
        }
        catch (AgentApiException ex)
        {
            Log.Dropped(logger, typeof(T).Name, describe(batch[0]), ex);
            return;
        }
        foreach (var item in batch)
        {
            try
            {
                await send([item], cancellationToken).ConfigureAwait(false);
            }
            catch (AgentApiException ex)
            {
                Log.Dropped(logger, typeof(T).Name, describe(item), ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "The server rejected a batch of {Count} ({Reason}); sending them one by one")]
        public static partial void BatchRejected(ILogger logger, int count, string reason);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "The server rejected {Kind} {Item}; it is dropped")]
        public static partial void Dropped(ILogger logger, string kind, string item, Exception exception);
    }
}
