using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Reminders;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

internal sealed partial class Activation
{
    /// <summary>
    /// Runs the messages as consecutive turns on the in-memory state and commits them together. If one throws,
    /// nothing of the batch is kept: the turns before it are run and committed again, the failing one alone is
    /// recorded as failed, and the rest carry on — so a failing message never affects the others.
    /// </summary>
    private async Task HandleMessagesAsync(List<InboxMessage> messages)
    {
        _turn ??= new TurnContext(this);
        for (var i = 0; i < messages.Count; i++)
        {
            try
            {
                await DispatchAsync(MessageBody.Parse(messages[i].Payload));
                _turnsInBatch++;
            }
            catch (Exception ex)
            {
                RestoreState();
                _turn = null;
                _turnsInBatch = 0;
                if (i > 0)
                {
                    await HandleMessagesAsync(messages[..i]);
                }
                // Retrying cannot help a message the grain cannot read: park it at once.
                var dead = ex is InvalidMessageException || messages[i].Attempts + 1 >= _silo.Options.MaxMessageAttempts;
                await RecordFailureAsync(messages[i], ex, dead);
                if (i + 1 < messages.Count)
                {
                    await HandleMessagesAsync(messages[(i + 1)..]);
                }
                return;
            }
        }
        await CommitTurnAsync(messages);
    }

    private async Task DispatchAsync(MessageBody body)
    {
        var grain = _grain!;
        if (body.Kind == MessageBody.DeadLetterKind)
        {
            await DeliverDeadLetterNoticeAsync(grain, body);
            return;
        }
        if (body.Kind == MessageBody.ReminderKind)
        {
            if (grain is not IRemindable remindable)
            {
                throw new InvalidMessageException($"Grain class '{_class.ClrType.Name}' received reminder '{body.Reminder}' but does not implement IRemindable.");
            }
            await remindable.ReceiveReminder(body.Reminder!, new TickStatus(body.Due!.Value, Clock.GetUtcNow(), body.Missed));
            return;
        }
        var method = _silo.Registry.Method(body.Interface ?? "", body.Method ?? "");
        if (!method.Interface.IsInstanceOfType(grain))
        {
            throw new InvalidMessageException($"Grain class '{_class.ClrType.Name}' does not implement '{method.Interface.FullName}'.");
        }
        if (!method.IsCommand)
        {
            throw new InvalidMessageException($"'{method.Interface.Name}.{method.Info.Name}' is a read method; it cannot be sent as a command.");
        }
        var args = method.DeserializeArgs(body.Args);
        if (method.Invoke(grain, args) is Task task)
        {
            await task;
        }
    }

    private async Task HandleTimerAsync(WorkItem.TimerTick tick)
    {
        _turn ??= new TurnContext(this);
        try
        {
            await tick.Callback(CancellationToken.None);
            _turnsInBatch++;
        }
        catch (Exception ex)
        {
            Log.TimerFailed(_silo.Logger, Id, ex);
            RestoreState();
            _turn = null;
            _turnsInBatch = 0;
            return;
        }
        await CommitTurnAsync([]);
    }

    private async Task CommitTurnAsync(IReadOnlyList<InboxMessage> consumed)
    {
        var turn = _turn!;
        var turns = _turnsInBatch;
        _turn = null;
        _turnsInBatch = 0;
        var state = SerializeState();
        var commit = new TurnCommit(Id, Shard, Epoch, _committedVersion, turns, state, [.. consumed.Select(m => m.Id)], turn.Outbox, turn.ReminderWrites)
        {
            Indexes = turn.IndexWrites,
        };
        var outcome = await _silo.Committer.CommitAsync(commit);
        switch (outcome)
        {
            case CommitOutcome.Committed:
                _committedVersion += turns;
                _committedState = state;
                _silo.Metrics.AddTurns(_class.Name, turns);
                foreach (var message in consumed)
                {
                    _silo.Pump.Release(message.Id, Shard, refetch: false);
                }
                if (turn.AddsReminders)
                {
                    // Only a new or changed reminder can be due sooner than the pump thinks; a removal cannot.
                    _silo.Reminders.Wake();
                }
                return;
            case CommitOutcome.Fenced:
                Log.TurnFenced(_silo.Logger, Id, Shard, Epoch);
                _silo.Metrics.Fenced();
                _invalid = true;
                ReleaseConsumed(consumed);
                _silo.OnShardLost(Shard, Epoch);
                return;
            default:
                // The stored state moved on (a duplicate activation, or a commit whose reply was lost): this
                // activation's state is stale. Drop it; the message goes back to the inbox if it was not applied.
                Log.TurnDiscarded(_silo.Logger, Id, outcome);
                _invalid = true;
                ReleaseConsumed(consumed);
                // Not awaited: the deactivation runs on this very mailbox after the current item.
                _ = _silo.Directory.Remove(this, DeactivationReason.StateConflict);
                return;
        }
    }

    private void ReleaseConsumed(IReadOnlyList<InboxMessage> messages)
    {
        foreach (var message in messages)
        {
            _silo.Pump.Release(message.Id, Shard, refetch: true);
        }
    }

    private async Task RecordFailureAsync(InboxMessage message, Exception error, bool dead)
    {
        var attempts = message.Attempts + 1;
        var backoff = TimeSpan.FromTicks(Math.Min(_silo.Options.RetryBackoffMax.Ticks,
            _silo.Options.RetryBackoffBase.Ticks * (1L << Math.Min(attempts - 1, 30))));
        // A parked message is never visible again; its visible_at then records when it was parked.
        var failure = new MessageFailure(message.Id, attempts, Clock.GetUtcNow() + (dead ? TimeSpan.Zero : backoff), $"{error.GetType().FullName}: {error.Message}", dead);
        Log.TurnFailed(_silo.Logger, Id, message.Id, attempts, dead, error);
        try
        {
            await _silo.Store.RecordFailureAsync(failure, _silo.Stopping);
            if (dead)
            {
                _silo.Metrics.DeadLettered(_class.Name);
                await NotifyDeadLetterAsync(message, failure);
            }
        }
        catch (Exception ex)
        {
            // The message stays pending with its old attempt count; it is retried, which is safe.
            Log.FailureNotRecorded(_silo.Logger, message.Id, ex);
            dead = false;
        }
        _silo.Pump.Release(message.Id, message.Shard, refetch: !dead);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Grain {Grain}: message {MessageId} failed (attempt {Attempts}, dead letter: {Dead})")]
        public static partial void TurnFailed(ILogger logger, GrainId grain, long messageId, int attempts, bool dead, Exception exception);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Grain {Grain}: commit fenced; shard {Shard} epoch {Epoch} is no longer ours")]
        public static partial void TurnFenced(ILogger logger, GrainId grain, int shard, long epoch);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Grain {Grain}: turn discarded ({Outcome}); the activation reloads")]
        public static partial void TurnDiscarded(ILogger logger, GrainId grain, CommitOutcome outcome);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Could not record the failure of message {MessageId}")]
        public static partial void FailureNotRecorded(ILogger logger, long messageId, Exception exception);

        [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Grain {Grain}: activation failed")]
        public static partial void ActivationFailed(ILogger logger, GrainId grain, Exception exception);

        [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Grain {Grain}: OnDeactivateAsync failed")]
        public static partial void DeactivationFailed(ILogger logger, GrainId grain, Exception exception);

        [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Grain {Grain}: timer callback failed; its changes were dropped")]
        public static partial void TimerFailed(ILogger logger, GrainId grain, Exception exception);
    }
}

/// <summary>Grain references used inside a turn: commands join the turn's outbox; reads go to committed state.</summary>
internal sealed class TurnCallSink(Activation activation) : IGrainCallSink
{
    public GrainTypeRegistry Registry => activation.Registry;

    public Task SendAsync(GrainId target, GrainMethod method, object?[]? args, string? dedupeKey)
    {
        var body = new MessageBody { Kind = MessageBody.CallKind, Interface = method.Interface.FullName, Method = method.Info.Name, Args = method.SerializeArgs(args) };
        activation.CurrentTurn.Send(target, body.ToBytes(), dedupeKey);
        return Task.CompletedTask;
    }

    public Task<object?> ReadAsync(GrainId target, GrainMethod method, object?[]? args) => activation.Reader.ReadAsync(target, method, args, CancellationToken.None);
}
