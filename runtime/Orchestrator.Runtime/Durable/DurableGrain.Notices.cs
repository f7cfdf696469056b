using System.Diagnostics;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Notices: calls made once a turn's write is durable, outside the outbox. A notice costs no outbox entry and no
/// acknowledgement to write, but it is not durable: it is retried in memory with back-off (up to
/// <see cref="DurableOptions.MaxDeliveryAttempts"/>) while the activation lives, and lost if the silo dies first.
/// Use it only where the receiver can find what it was told on its own, from what this turn wrote (an index row): a
/// host target tells its step it ended, and a step that stops hearing from its targets reads their rows.
/// </summary>
public abstract partial class DurableGrain<TState>
{
    private int _noticesPending;

    /// <summary>
    /// Calls <paramref name="call"/> once this turn's write is durable (nothing if the turn rolls back), retrying a
    /// failure with back-off. A grain that is done (<see cref="DeactivateWhenDelivered"/>) leaves once its notices went
    /// through or were given up.
    /// </summary>
    protected void NotifyAfterWrite(Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        RequireTurn(nameof(NotifyAfterWrite));
        AfterWrite(() =>
        {
            _noticesPending++;
            Telemetry.OrchestratorMetrics.AddNoticesPending(1);
            _ = NotifyAsync(call);
        });
    }

    private async Task NotifyAsync(Func<Task> call)
    {
        Activity.Current = null; // not the span of the turn that wrote: see DeliverToAsync
        var token = _lifetime.Token;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    RequestContext.Clear(); // nothing of the call that caused the write travels with the notice
                    await call();
                    return;
                }
                catch (Exception ex) when (!token.IsCancellationRequested && attempt < _options.MaxDeliveryAttempts)
                {
                    DurableLog.NoticeFailed(_logger, _id, attempt, ex);
                }
                await Task.Delay(Backoff.After(attempt, _options.RetryBackoffBase, _options.RetryBackoffMax, Random.Shared.NextDouble()), _clock, token);
            }
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            DurableLog.NoticeGivenUp(_logger, _id, _options.MaxDeliveryAttempts, ex);
        }
        catch (Exception)
        {
            // The activation is going away: the receiver finds what it missed on its own.
        }
        finally
        {
            _noticesPending--;
            Telemetry.OrchestratorMetrics.AddNoticesPending(-1);
            DeactivateIfDelivered();
        }
    }
}
