using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Steps;

/// <summary>
/// Fan-out without the outbox. A turn only <i>decides</i>: it moves the dispatch cursor (<see cref="StepState.Next"/>)
/// or records a stop's cancel sweep (<see cref="StepState.Cancelling"/>). Once that write is durable, a loop of the
/// step's own — outside the turn lock, so reports keep arriving — reads the decided positions' hosts from the index,
/// starts (or cancels) their targets with bounded concurrency, and now and then records how far it got in a turn of its
/// own. A start or cancel the loop cannot deliver goes into the outbox (retried, then parked with a notice to the
/// target). After a restart the loop resumes at <see cref="StepState.Delivered"/> (or the sweep's cursor): targets
/// ignore a start or cancel they already have. A wake-up stays armed while work is undelivered, so the sweeper
/// re-drives a step whose silo died. Writes stay small: the outbox never holds a message per target.
/// </summary>
public sealed partial class StepGrain
{
    private const string DispatchWakeUp = "dispatch";
    private const string CancelWakeUp = "cancel-sweep";

    /// <summary>Starts (or cancels) one step has in flight at once.</summary>
    internal const int DeliveryConcurrency = 1000;

    /// <summary>Positions (or target rows) read and delivered per page; the cursor is written after each page.</summary>
    internal const int DeliveryPage = 2000;

    /// <summary>How long undelivered work may wait before its wake-up drives the loop again (a silo died, say).</summary>
    internal static readonly TimeSpan DeliveryBackstop = TimeSpan.FromMinutes(1);

    private (int Attempt, int Next)? _startGoal;  // durable: the positions below Next of Attempt are decided
    private int _startAttempt = -1;
    private int _delivered;                       // of _startAttempt, acknowledged so far
    private Task? _startLoop;
    private CancelGoal? _cancelGoal;
    private Task? _cancelLoop;
    private ILogger? _logger;

    private ILogger Logger => _logger ??= ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger<StepGrain>() ?? (ILogger)NullLogger.Instance;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Resume what the previous activation left undelivered: the state loaded is durable, so it is decided.
        if (State.Definition is not null && State.Deletion is null && !State.Status.IsFinal() && State.Delivered < State.Next)
        {
            KickStarts(State.Attempt, State.Next);
        }
        if (State.Cancelling is { } sweep && State.Deletion is null)
        {
            KickCancels(CancelGoal.Of(sweep));
        }
        return Task.CompletedTask;
    }

    /// <summary>The positions decided in this turn go out once it is durable.</summary>
    private void DeliverStartsAfterThisTurn()
    {
        if (!WakeUps.ContainsKey(DispatchWakeUp))
        {
            ArmWakeUp(DispatchWakeUp, DeliveryBackstop);
        }
        var (attempt, next) = (State.Attempt, State.Next);
        AfterWrite(() => KickStarts(attempt, next));
    }

    /// <summary>The cancel sweep recorded in this turn goes out once it is durable.</summary>
    private void DeliverCancelsAfterThisTurn()
    {
        if (!WakeUps.ContainsKey(CancelWakeUp))
        {
            ArmWakeUp(CancelWakeUp, DeliveryBackstop);
        }
        var goal = CancelGoal.Of(State.Cancelling!);
        AfterWrite(() => KickCancels(goal));
    }

    /// <summary>The backstops: while work is undelivered, drive the loops again (and stay armed). True if it was one.</summary>
    private bool OnDeliveryWakeUp(string name)
    {
        switch (name)
        {
            case DispatchWakeUp:
                if (State.Definition is not null && State.Deletion is null && !State.Status.IsFinal() && State.Delivered < State.Next)
                {
                    DeliverStartsAfterThisTurn();
                }
                return true;
            case CancelWakeUp:
                if (State.Cancelling is not null && State.Deletion is null)
                {
                    DeliverCancelsAfterThisTurn();
                }
                return true;
            default:
                return false;
        }
    }

    private void KickStarts(int attempt, int next)
    {
        if (_startGoal is { } goal && (goal.Attempt > attempt || (goal.Attempt == attempt && goal.Next >= next)))
        {
            // Known already (a later attempt supersedes an earlier one).
        }
        else
        {
            _startGoal = (attempt, next);
        }
        if (_startLoop is null || _startLoop.IsCompleted)
        {
            _startLoop = DeliverStartsAsync();
        }
    }

    private async Task DeliverStartsAsync()
    {
        var token = ActivationStopping;
        try
        {
            while (!token.IsCancellationRequested && _startGoal is { } goal)
            {
                if (goal.Attempt != State.Attempt || State.Deletion is not null || State.Status.IsFinal())
                {
                    return; // another attempt began (its own kick follows), or nobody counts any more
                }
                if (_startAttempt != goal.Attempt)
                {
                    _startAttempt = goal.Attempt;
                    _delivered = State.Delivered;
                }
                if (_delivered >= goal.Next)
                {
                    await RecordDeliveredAsync(goal.Attempt);
                    if (_startGoal == goal)
                    {
                        return;
                    }
                    continue;
                }
                var from = _delivered;
                var count = Math.Min(goal.Next - from, DeliveryPage);
                var hosts = await PositionsAsync(goal.Attempt, from, count);
                if (goal.Attempt != State.Attempt)
                {
                    continue;
                }
                await StartAllAsync(goal.Attempt, from, hosts, token);
                _delivered = from + hosts.Count;
                if (hosts.Count < count)
                {
                    // Fewer rows than positions: the stored list is shorter than the counters say. Never wait for ghosts.
                    var end = _delivered;
                    await TurnAsync(() => ForgetGhostsAsync(goal.Attempt, end));
                    _startGoal = _startGoal is { } now && now.Attempt == goal.Attempt ? (goal.Attempt, Math.Min(now.Next, end)) : _startGoal;
                }
                if (_delivered - State.Delivered >= DeliveryPage * 4 || _delivered >= goal.Next)
                {
                    await RecordDeliveredAsync(goal.Attempt);
                }
            }
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            Log.DeliveryStopped(Logger, GrainKey, "starts", ex); // the dispatch wake-up drives it again
        }
        catch (OperationCanceledException)
        {
            // The activation is going away; the next one resumes from the recorded cursor.
        }
    }

    /// <summary>The hosts at positions [from, from + count) of an attempt: this activation's copy, or the index.</summary>
    private async Task<List<string>> PositionsAsync(int attempt, int from, int count)
    {
        if (_positions is { } cached && cached.Attempt == attempt)
        {
            return cached.Hosts.GetRange(from, Math.Clamp(cached.Hosts.Count - from, 0, count));
        }
        var after = from == 0 ? null : IndexKinds.Position(from - 1);
        var rows = await Indexes.QueryAsync(new IndexQuery(IndexKinds.StepTarget, [State.TargetPartition(attempt)]) { AfterKey = after, Limit = count });
        return [.. rows.Select(r => r.Data!)];
    }

    /// <summary>Starts the targets at positions <paramref name="first"/>... of an attempt; what fails goes to the outbox.</summary>
    private async Task StartAllAsync(int attempt, int first, List<string> hosts, CancellationToken token)
    {
        if (hosts.Count == 0)
        {
            return;
        }
        // A host of another namespace is as one that never registered: its target ends agent-offline (HostNamespaces).
        var ns = Namespaces.Of(State.Context?.Namespace);
        var online = HostNamespaces.LiveIn(await Indexes.GetAsync(IndexKinds.Host, "", hosts, token), ns);
        if (State.Attempt != attempt || State.Definition is not { } definition)
        {
            return;
        }
        var execution = definition.Execution;
        var renderer = new WorkRenderer(State);
        var starts = hosts.Select((host, i) => new StartTarget(GrainKey, host, attempt, renderer.Render(host), execution.TargetTimeout, execution.Retry, execution.ExitCodes,
            online.Contains(host), first + i, ns, State.TraceParent)).ToList();
        var failed = await DeliverAllAsync(starts, start => TargetGrain(start.Host).Start(start), "start", token);
        if (failed.Count > 0)
        {
            await TurnAsync(() =>
            {
                foreach (var start in failed)
                {
                    Send(TargetGrain(start.Host)).Start(start);
                }
                return Task.CompletedTask;
            });
        }
    }

    /// <summary>Records how far starts got; the backstop goes once nothing decided is left undelivered.</summary>
    private Task RecordDeliveredAsync(int attempt)
    {
        var delivered = _delivered;
        if (State.Attempt == attempt && delivered <= State.Delivered && (State.Delivered < State.Next || !WakeUps.ContainsKey(DispatchWakeUp)))
        {
            return Task.CompletedTask;
        }
        return TurnAsync(() =>
        {
            if (State.Attempt == attempt && delivered > State.Delivered)
            {
                State.Delivered = Math.Min(delivered, State.Next);
            }
            if (State.Delivered >= State.Next || State.Status.IsFinal())
            {
                DisarmWakeUp(DispatchWakeUp);
            }
            return Task.CompletedTask;
        });
    }

    /// <summary>The stored list of positions ends at <paramref name="end"/>: the step stops counting the rest.</summary>
    private async Task ForgetGhostsAsync(int attempt, int end)
    {
        if (State.Attempt != attempt || State.Next <= end || State.Status.IsFinal())
        {
            return;
        }
        var ghosts = State.Next - end;
        State.Next = end;
        State.Running -= ghosts;
        State.Total = Math.Min(State.Total, end);
        State.BatchEnd = Math.Min(State.BatchEnd, end);
        if (State.Stopping)
        {
            if (State.Running == 0)
            {
                await Finalize(State.PendingFinal);
            }
            return;
        }
        if (Rollout.BatchDone(State.Next, State.BatchEnd, State.Running))
        {
            await EndBatch();
        }
    }

    private void KickCancels(CancelGoal goal)
    {
        if (_cancelGoal is not { } current || current.Attempt < goal.Attempt || (current.Attempt == goal.Attempt && goal.KillRunning && !current.KillRunning))
        {
            _cancelGoal = goal;
        }
        if (_cancelLoop is null || _cancelLoop.IsCompleted)
        {
            _cancelLoop = DeliverCancelsAsync();
        }
    }

    private async Task DeliverCancelsAsync()
    {
        var token = ActivationStopping;
        try
        {
            while (!token.IsCancellationRequested && _cancelGoal is { } goal && State.Deletion is null)
            {
                var statuses = CancelStatuses(goal.KillRunning);
                var rows = await Indexes.QueryAsync(new IndexQuery(IndexKinds.Target, [GrainKey]) { Statuses = statuses, AfterKey = goal.After, Limit = DeliveryPage, KeysOnly = true }, token);
                var failed = await DeliverAllAsync(rows.Select(r => r.Key).ToList(),
                    name => TargetGrain(name).Cancel(goal.Attempt, goal.NotStarted), "cancel", token);
                var done = rows.Count < DeliveryPage;
                var after = rows.Count > 0 ? rows[^1].Key : goal.After;
                await TurnAsync(() =>
                {
                    foreach (var name in failed)
                    {
                        Send(TargetGrain(name)).Cancel(goal.Attempt, goal.NotStarted);
                    }
                    if (State.Cancelling is { } sweep && sweep.Attempt == goal.Attempt && sweep.KillRunning == goal.KillRunning)
                    {
                        if (done)
                        {
                            State.Cancelling = null;
                            DisarmWakeUp(CancelWakeUp);
                        }
                        else
                        {
                            sweep.After = after;
                        }
                    }
                    return Task.CompletedTask;
                });
                if (_cancelGoal == goal)
                {
                    _cancelGoal = done ? null : goal with { After = after };
                }
            }
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            Log.DeliveryStopped(Logger, GrainKey, "cancels", ex); // the sweep's wake-up drives it again
        }
        catch (OperationCanceledException)
        {
            // The activation is going away; the next one resumes from the recorded cursor.
        }
    }

    /// <summary>Calls <paramref name="call"/> for each item, at most <see cref="DeliveryConcurrency"/> at once; returns the items that failed.</summary>
    private async Task<List<T>> DeliverAllAsync<T>(List<T> items, Func<T, Task> call, string what, CancellationToken token)
    {
        var failed = new List<T>();
        using var slots = new SemaphoreSlim(DeliveryConcurrency, DeliveryConcurrency);
        var calls = new List<Task>(items.Count);
        foreach (var item in items)
        {
            await slots.WaitAsync(token);
            calls.Add(DeliverOneAsync(item));
        }
        await Task.WhenAll(calls);
        return failed;

        async Task DeliverOneAsync(T item)
        {
            try
            {
                await call(item);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                Log.DeliveryFailed(Logger, GrainKey, what, ex);
                failed.Add(item); // the grain's scheduler runs one continuation at a time
            }
            finally
            {
                slots.Release();
            }
        }
    }

    /// <summary>A cancel sweep as the loop follows it.</summary>
    private sealed record CancelGoal(int Attempt, TargetStatus NotStarted, bool KillRunning, string? After)
    {
        public static CancelGoal Of(CancelSweep sweep) => new(sweep.Attempt, sweep.NotStarted, sweep.KillRunning, sweep.After);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Step {Step}: a {What} call failed; it is made again (a start or cancel through the outbox, a report lookup at the next look)")]
        public static partial void DeliveryFailed(ILogger logger, string step, string what, Exception exception);

        [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Step {Step}: delivering {What} stopped; the step's wake-up resumes it")]
        public static partial void DeliveryStopped(ILogger logger, string step, string what, Exception exception);
    }
}
