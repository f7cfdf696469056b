using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Transport;

namespace Orchestrator.Agent.Reporting;

/// <summary>
/// Sends what <see cref="ReportQueue"/> holds: a batch of events that may go, then a batch of chunks, again and
/// again, each call retried by <see cref="AgentApiClient"/> until the server acknowledges it. One sender keeps the
/// per-assignment order trivially; batches amortise the calls (up to 1,000 events or chunks per call).
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
                try
                {
                    await client.SendEventsAsync(events.Select(e => e.Value.Event).ToArray(), cancellationToken).ConfigureAwait(false);
                }
                catch (AgentApiException ex)
                {
                    // A batch the server will never take would stop every later report; drop it loudly instead.
                    Log.EventsRejected(logger, events.Count, ex);
                }
                queue.AcknowledgeEvents(events);
                sent = true;
            }
            var chunks = queue.PeekChunks();
            if (chunks.Count > 0)
            {
                try
                {
                    await client.SendLogsAsync(chunks, cancellationToken).ConfigureAwait(false);
                }
                catch (AgentApiException ex)
                {
                    Log.ChunksRejected(logger, chunks.Count, ex);
                }
                queue.AcknowledgeChunks(chunks.Count);
                sent = true;
            }
            if (!sent)
            {
                await queue.Added.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "The server rejected {Count} event(s); they are dropped")]
        public static partial void EventsRejected(ILogger logger, int count, Exception exception);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "The server rejected {Count} log chunk(s); they are dropped")]
        public static partial void ChunksRejected(ILogger logger, int count, Exception exception);
    }
}
