using System.Text.Json;
using Orleans;
using Orleans.Runtime;
using Orchestrator.Runtime.Durable;

namespace Orchestrator.Runtime.Persistence.DeadLetters;

/// <summary>What a replay did.</summary>
public enum ReplayOutcome
{
    /// <summary>Delivered (or found already applied: the receiver dedupes it) and removed from the dead letters.</summary>
    Delivered,

    /// <summary>No parked message has that id (never parked, or replayed already).</summary>
    NotFound,

    /// <summary>A wake-up of the grain's own: nothing outside the grain can fire it again; the grain was told when it was parked.</summary>
    NotReplayable,
}

/// <summary>
/// Re-delivers a parked message through Orleans, as its sender's outbox would have: the same grain, interface method
/// and arguments, under the same dedupe key (<see cref="DurableRequestContext.DedupeKey"/>), so a receiver that did apply
/// it skips it. The row is deleted only after the call returned; a call that throws leaves it parked and the exception
/// goes to the caller.
/// </summary>
public static class DeadLetterReplay
{
    public static async Task<ReplayOutcome> ReplayAsync(IGrainFactory grains, IDeadLetterStore store, long id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(store);
        if (await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } letter)
        {
            return ReplayOutcome.NotFound;
        }
        if (DeadLetterStoreSink.WakeUpOf(letter) is not null)
        {
            return ReplayOutcome.NotReplayable;
        }
        var grainInterface = OutboxCalls.ResolveInterface(letter.Interface);
        var method = OutboxCalls.ResolveMethod(grainInterface, letter.Method);
        var args = OutboxCalls.DeserializeArguments(method, new RawJson(System.Text.Encoding.UTF8.GetBytes(letter.ArgsJson)));
        var reference = grains.GetGrain(GrainId.Create(letter.TargetType, letter.TargetKey)).AsReference(grainInterface);
        RequestContext.Clear();
        RequestContext.Set(DurableRequestContext.DedupeKey, letter.DedupeKey);
        try
        {
            await OutboxCalls.Invoke(reference, method, args).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            RequestContext.Clear();
        }
        await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        return ReplayOutcome.Delivered;
    }
}
