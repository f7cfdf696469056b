using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Requests;

/// <summary>A grain state that keeps its commands' outcomes.</summary>
public interface IRequestState
{
    RequestLog Requests { get; }
}

/// <summary>
/// A durable grain whose commands carry request ids and whose callers read the outcomes (<see cref="RequestLog"/>):
/// <see cref="Once"/> applies a command unless its id was answered within the idempotency window (in state, else — only
/// for a client's key on a grain that moved outcomes out of state — in its index row), <see cref="Answer"/> records an
/// outcome (and writes the index rows of those it pushes out), <see cref="FindRequestAsync"/> reads one. The index rows
/// past the window are deleted by a command of the grain at most once per <see cref="RequestLog.PruneSlack"/>: a grain
/// that gets no more commands keeps at most one window of rows, which no lookup answers.
/// </summary>
public abstract class RequestGrain<TState> : DurableGrain<TState>
    where TState : class, IRequestState, new()
{
    private const int PruneBatch = 500;

    private TimeSpan? _window;

    /// <summary>The idempotency window (<see cref="IdempotencyOptions"/>).</summary>
    protected TimeSpan Window => _window ??= (ServiceProvider.GetService<IOptions<IdempotencyOptions>>()?.Value ?? new IdempotencyOptions()).IdempotencyWindow;

    private string Partition => this.GetGrainId().ToString();

    /// <summary>Whether <paramref name="requestId"/> was answered, as far as the state knows (the fast check inside a command).</summary>
    protected bool Answered(string requestId) => State.Requests.Find(requestId, Clock.GetUtcNow(), Window) is not null;

    /// <summary>Records the outcome of a command of this turn; outcomes it pushes out of state go to index rows in the same write.</summary>
    protected RequestResult Answer(RequestResult result)
    {
        foreach (var row in State.Requests.Add(result, Clock.GetUtcNow(), Window, Partition))
        {
            WriteIndex(row);
        }
        return result;
    }

    /// <summary>
    /// Runs <paramref name="apply"/> (a command's body) unless <paramref name="requestId"/> was answered within the window;
    /// synchronous unless the index must be read (a client's key missing from state on a grain that moved outcomes, or
    /// expired rows to delete).
    /// </summary>
    protected Task Once(string requestId, Func<Task> apply)
    {
        ArgumentNullException.ThrowIfNull(apply);
        var now = Clock.GetUtcNow();
        var log = State.Requests;
        if (log.Find(requestId, now, Window) is not null)
        {
            return Task.CompletedTask;
        }
        return log.MayBeIndexed(requestId) || log.PruneDue(now, Window) ? CheckIndexThenApply(requestId, now, apply) : apply();
    }

    /// <summary>The outcome of <paramref name="requestId"/> within the window: from state, else from its index row.</summary>
    protected async ValueTask<RequestResult?> FindRequestAsync(string requestId)
    {
        var now = Clock.GetUtcNow();
        if (State.Requests.Find(requestId, now, Window) is { } result)
        {
            return result;
        }
        return State.Requests.MayBeIndexed(requestId) ? await FindIndexedAsync(requestId, now) : null;
    }

    private async Task CheckIndexThenApply(string requestId, DateTimeOffset now, Func<Task> apply)
    {
        if (State.Requests.PruneDue(now, Window))
        {
            await PruneAsync(now);
        }
        if (State.Requests.MayBeIndexed(requestId) && await FindIndexedAsync(requestId, now) is not null)
        {
            return;
        }
        await apply();
    }

    private async Task<RequestResult?> FindIndexedAsync(string requestId, DateTimeOffset now)
    {
        var rows = await Indexes.GetAsync(IndexKinds.Request, Partition, [requestId], ActivationStopping);
        return rows.Count == 0 ? null : RequestLog.FromRow(rows[0], now, Window);
    }

    /// <summary>Deletes this grain's index rows recorded before the window, in this turn's write.</summary>
    private async Task PruneAsync(DateTimeOffset now)
    {
        var cutoff = now - Window;
        string? after = null;
        while (true)
        {
            var rows = await Indexes.QueryAsync(new IndexQuery(IndexKinds.Request, [Partition]) { KeysOnly = true, AfterKey = after, Limit = PruneBatch }, ActivationStopping);
            foreach (var row in rows)
            {
                if (RequestLog.RecordedAt(row) < cutoff)
                {
                    DeleteIndex(IndexKinds.Request, Partition, row.Key);
                }
            }
            if (rows.Count < PruneBatch)
            {
                break;
            }
            after = rows[^1].Key;
        }
        // What is left (and rows of this activation the database does not show yet) was recorded after the cutoff, so
        // the next deletion is due a PruneSlack from now; IndexedSince stays set, so lookups keep reading the index.
        State.Requests.IndexedSince = cutoff;
    }
}
