using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Transport;

namespace Orchestrator.Agent.Polling;

/// <summary>
/// Long-polls for one group of hosts: asks for as many assignments as the group has free slots, lists the ids it
/// holds so the server can cancel them, and hands what comes back to the workload. A poll may be abandoned — when it
/// asked for nothing and a slot frees, and when the agent starts draining — because the protocol requires the server
/// to tolerate a lost poll answer anyway (a connection can drop after the server sent it): an assignment counts as
/// taken only once the agent lists it in <c>running</c> or reports on it. While draining, polls ask for nothing but
/// still take cancellations.
/// </summary>
internal sealed partial class PollLoop(int group, IAssignmentWorkload workload, AgentApiClient client, AgentOptions options, TimeProvider timeProvider, ILogger logger)
{
    private static readonly TimeSpan RepeatedCancelPause = TimeSpan.FromMilliseconds(250);
    private readonly Lock gate = new();
    private CancellationTokenSource? current;
    private TaskCompletionSource? iterationDone;
    private bool draining;

    /// <summary>Stops asking for work and abandons the poll in flight; completes once an answer that was already
    /// received has been handed to the workload, so nothing accepted after this is missed by the drain.</summary>
    public Task DrainAsync()
    {
        lock (gate)
        {
            draining = true;
            current?.Cancel();
            return iterationDone?.Task ?? Task.CompletedTask;
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var hosts = workload.PollGroups[group];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Read the token before the free slots: a slot freed in between still cuts the poll short.
            var slotFreed = workload.SlotFreedToken;
            int max;
            CancellationTokenSource poll;
            lock (gate)
            {
                max = draining ? 0 : workload.FreeSlots(group);
                poll = max == 0 && !draining
                    ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, slotFreed)
                    : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                current = poll;
                iterationDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            try
            {
                await PollOnceAsync(hosts, max, poll.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Abandoned because a slot freed or draining began: ask again.
            }
            catch (AgentApiException ex)
            {
                Log.PollRejected(logger, ex);
                await Task.Delay(options.AuthRetryDelay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (gate)
                {
                    current = null;
                    poll.Dispose();
                    iterationDone.TrySetResult();
                }
            }
        }
    }

    private async Task PollOnceAsync(IReadOnlyList<string> hosts, int max, CancellationToken cancellationToken)
    {
        var response = await client.PollAsync(hosts, workload.HeldIds(group), max, cancellationToken).ConfigureAwait(false);
        var newlyCancelled = response.Cancel.Count > 0 ? workload.Cancel(response.Cancel) : 0;
        if (response.Assignments.Count > 0)
        {
            Log.Received(logger, response.Assignments.Count, max);
            workload.Accept(response.Assignments);
        }
        else if (response.Cancel.Count > 0 && newlyCancelled == 0)
        {
            // The server repeats cancellations while we still list the ids (they are being killed); without this
            // pause such an answer would come back at once, again and again, until the kill is done.
            await Task.Delay(RepeatedCancelPause, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Received {Count} assignment(s) (asked for up to {Max})")]
        public static partial void Received(ILogger logger, int count, int max);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "The server rejected a poll")]
        public static partial void PollRejected(ILogger logger, Exception exception);
    }
}
