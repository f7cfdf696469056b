using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;

namespace Orchestrator.Runtime.Durable;

/// <summary>
/// Delivery of the outbox, outside the turn lock so that it never blocks incoming calls: one worker per target sends
/// that target's messages in order, one at a time; workers share <see cref="DurableOptions.MaxConcurrentDeliveries"/>
/// slots. Only messages already durable are sent. An acknowledged message leaves the outbox (written with the next
/// write, or after <see cref="DurableOptions.AckWriteDelay"/> by a write of its own); a failed one is retried with back-off and parked after <see cref="DurableOptions.MaxDeliveryAttempts"/>.
/// </summary>
public abstract partial class DurableGrain<TState>
{
    private readonly SortedDictionary<long, OutboxEntry> _outbox = [];
    private readonly Dictionary<string, List<OutboxEntry>> _queues = new(StringComparer.Ordinal);
    private readonly HashSet<string> _workers = new(StringComparer.Ordinal);
    private SemaphoreSlim? _deliverySlots; // made at the first delivery: most activations never send
    private long _nextSeq = 1;
    private long _durableNextSeq = 1; // entries with a lower sequence number are durable
    private string? _outboxRow;
    private int _outboxCounted;

    /// <summary>Messages decided and not yet acknowledged (for diagnostics and tests).</summary>
    protected int PendingMessages => _outbox.Count;

    private void AddEntry(OutboxEntry entry)
    {
        if (_outbox.TryAdd(entry.Seq, entry))
        {
            CountOutbox(1);
        }
        else
        {
            _outbox[entry.Seq] = entry;
        }
        if (!_queues.TryGetValue(entry.Target, out var queue))
        {
            _queues[entry.Target] = queue = [];
        }
        queue.Add(entry);
    }

    private void RemoveEntry(OutboxEntry entry)
    {
        if (_outbox.Remove(entry.Seq))
        {
            CountOutbox(-1);
        }
        if (_queues.TryGetValue(entry.Target, out var queue))
        {
            queue.Remove(entry);
            if (queue.Count == 0)
            {
                _queues.Remove(entry.Target);
            }
        }
    }

    /// <summary>
    /// The silo's outbox depth (<c>orchestrator.outbox.pending</c>): what this activation adds, taken back whole when it
    /// stops (<see cref="Stop"/>), so a deactivated grain's entries never linger in the gauge.
    /// </summary>
    private void CountOutbox(int delta)
    {
        if (!_lifetime.IsCancellationRequested)
        {
            _outboxCounted += delta;
            Telemetry.OrchestratorMetrics.AddOutboxPending(delta);
        }
    }

    /// <summary>Starts a worker for each target with a durable message and no worker yet.</summary>
    private void KickDelivery()
    {
        if (_broken is not null || _lifetime.IsCancellationRequested || !_loaded)
        {
            return;
        }
        // A worker may change the queues before its first real await (a message that cannot be read is parked at
        // once), so pick the targets first.
        var ready = _queues.Where(q => q.Value.Count > 0 && q.Value[0].Seq < _durableNextSeq && !_workers.Contains(q.Key)).Select(q => q.Key).ToList();
        foreach (var target in ready)
        {
            if (_workers.Add(target))
            {
                _ = DeliverToAsync(target);
            }
        }
    }

    private async Task DeliverToAsync(string target)
    {
        // The worker outlives the turn that started it and delivers what later turns add: Orleans' call spans must not
        // hang under that first turn's span (another request's or run's trace). Our own spans take the run's context
        // from the message itself.
        Activity.Current = null;
        var token = _lifetime.Token;
        try
        {
            while (!token.IsCancellationRequested && _broken is null)
            {
                if (!_queues.TryGetValue(target, out var queue) || queue.Count == 0 || queue[0].Seq >= _durableNextSeq)
                {
                    return; // nothing durable left: the next write starts a worker again
                }
                var head = queue[0];
                var wait = head.NextAttemptAt - _clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _clock, token);
                    continue;
                }
                Exception? failure = null;
                var slots = _deliverySlots ??= new SemaphoreSlim(_options.MaxConcurrentDeliveries, _options.MaxConcurrentDeliveries);
                await slots.WaitAsync(token);
                try
                {
                    await DeliverAsync(head);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    failure = ex;
                }
                finally
                {
                    slots.Release();
                }
                if (token.IsCancellationRequested || !_outbox.ContainsKey(head.Seq))
                {
                    continue;
                }
                if (failure is null)
                {
                    RemoveEntry(head);
                    RequestAckWrite();
                    DeactivateIfDelivered();
                }
                else
                {
                    await OnDeliveryFailedAsync(head, failure);
                    RequestHousekeepingWrite();
                }
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // The activation is going away; the outbox is re-sent by the next one.
        }
        finally
        {
            _workers.Remove(target);
        }
    }

    private async Task DeliverAsync(OutboxEntry entry)
    {
        var grainInterface = OutboxCalls.ResolveInterface(entry.Interface);
        var method = OutboxCalls.ResolveMethod(grainInterface, entry.Method);
        var args = OutboxCalls.DeserializeArguments(method, entry.Arguments);
        var reference = GrainFactory.GetGrain(GrainId.Parse(entry.Target)).AsReference(grainInterface);
        // A fresh context: nothing of the call that started this worker travels with the message.
        RequestContext.Clear();
        RequestContext.Set(DurableRequestContext.DedupeKey, entry.DedupeKey);
        try
        {
            await OutboxCalls.Invoke(reference, method, args);
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    private async Task OnDeliveryFailedAsync(OutboxEntry entry, Exception failure)
    {
        var now = _clock.GetUtcNow();
        entry.Attempts = failure is InvalidOutboxCallException ? Math.Max(entry.Attempts + 1, _options.MaxDeliveryAttempts) : entry.Attempts + 1;
        entry.LastError = Describe(failure);
        if (failure is not InvalidOutboxCallException && !DeliveryFailures.ShouldPark(failure, entry.Attempts, entry.CreatedAt, now, _options))
        {
            entry.NextAttemptAt = now + Backoff.After(entry.Attempts, _options.RetryBackoffBase, _options.RetryBackoffMax, Random.Shared.NextDouble());
            DurableLog.DeliveryFailed(_logger, _id, entry.Method, entry.Target, entry.Attempts, failure);
            return;
        }
        var letter = new DeadLetter(_id.ToString(), entry.Target, entry.Interface, entry.Method, entry.Arguments.ToString(), entry.DedupeKey,
            entry.LastError, entry.Attempts, entry.CreatedAt, now);
        long id;
        try
        {
            id = await ServiceProvider.GetRequiredService<IDeadLetterSink>().ParkAsync(letter, _lifetime.Token);
            Telemetry.OrchestratorMetrics.DeadLetters.Add(1, new KeyValuePair<string, object?>("method", entry.Method));
        }
        catch (Exception ex) when (!_lifetime.IsCancellationRequested)
        {
            // The message stays in the outbox and is parked at a later attempt.
            entry.NextAttemptAt = now + _options.RetryBackoffMax;
            DurableLog.ParkFailed(_logger, _id, entry.Method, entry.Target, ex);
            return;
        }
        DurableLog.Parked(_logger, _id, entry.Method, entry.Target, entry.Attempts, id, failure);
        RemoveEntry(entry);
        if (!entry.IsNotice && IsObserver(entry.Interface))
        {
            Notify(entry.Target, new DeadLetterNotice(id, entry.Method, entry.LastError, entry.Attempts, now)
            {
                Interface = entry.Interface,
                ArgumentsJson = entry.Arguments.ToString(),
            });
        }
    }

    private static bool IsObserver(string interfaceName)
    {
        try
        {
            return typeof(IDeadLetterObserver).IsAssignableFrom(OutboxCalls.ResolveInterface(interfaceName));
        }
        catch (InvalidOutboxCallException)
        {
            return false;
        }
    }

    /// <summary>
    /// Queues a dead-letter notice to <paramref name="target"/> as an outbox message of its own (keyed by the letter's
    /// id, so a notice sent twice is applied once), outside any turn; it goes out after the next write.
    /// </summary>
    private void Notify(string target, DeadLetterNotice notice)
    {
        var method = typeof(IDeadLetterObserver).GetMethod(nameof(IDeadLetterObserver.OnDeadLetter))!;
        var now = _clock.GetUtcNow();
        AddEntry(new OutboxEntry
        {
            Seq = _nextSeq++,
            Target = target,
            Interface = OutboxCalls.InterfaceName(typeof(IDeadLetterObserver)),
            Method = method.Name,
            Arguments = OutboxCalls.SerializeArguments(method, [notice]),
            DedupeKey = $"dead:{notice.MessageId}",
            CreatedAt = now,
            NextAttemptAt = now,
            IsNotice = true,
        });
        RequestHousekeepingWrite();
    }

    private static string Describe(Exception error) => $"{error.GetType().FullName}: {error.Message}";
}
