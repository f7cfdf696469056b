using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Transport;

namespace Orchestrator.Agent.Polling;

/// <summary>
/// Long-polls for one group of hosts: asks for as many assignments as the group has free slots, lists the ids it
/// holds so the server can cancel them, and hands what comes back to the workload. A poll that asked for nothing
/// (all slots taken) is cut short when a slot frees — safe, because such a poll can only carry cancellations, and
/// the server repeats those at the next poll. A poll that asked for work is never cut short, since its answer may
/// carry assignments the server now counts as delivered. While draining, polls ask for nothing but still take
/// cancellations.
/// </summary>
internal sealed partial class PollLoop(int group, IAssignmentWorkload workload, AgentApiClient client, AgentOptions options, TimeProvider timeProvider, ILogger logger)
{
    private static readonly TimeSpan RepeatedCancelPause = TimeSpan.FromMilliseconds(250);
    private readonly Lock gate = new();
    private TaskCompletionSource? workPollDone;
    private volatile bool draining;

    /// <summary>Stops asking for work; completes once no poll that asked for work is in flight.</summary>
    public Task DrainAsync()
    {
        lock (gate)
        {
            draining = true;
            return workPollDone?.Task ?? Task.CompletedTask;
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
            lock (gate)
            {
                max = draining ? 0 : workload.FreeSlots(group);
                if (max > 0)
                {
                    workPollDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
            var running = workload.HeldIds(group);
            try
            {
                using var poll = max == 0 && !draining
                    ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, slotFreed)
                    : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var response = await client.PollAsync(hosts, running, max, poll.Token).ConfigureAwait(false);
                var newlyCancelled = response.Cancel.Count > 0 ? workload.Cancel(response.Cancel) : 0;
                if (response.Assignments.Count > 0)
                {
                    Log.Received(logger, response.Assignments.Count, max);
                    workload.Accept(response.Assignments);
                }
                else if (response.Cancel.Count > 0 && newlyCancelled == 0)
                {
                    // The server repeats cancellations while we still list the ids (they are being killed); without
                    // this pause such an answer would come back at once, again and again, until the kill is done.
                    await Task.Delay(RepeatedCancelPause, timeProvider, poll.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Cut short because a slot freed: ask again, for work this time.
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
                    workPollDone?.TrySetResult();
                    workPollDone = null;
                }
            }
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
