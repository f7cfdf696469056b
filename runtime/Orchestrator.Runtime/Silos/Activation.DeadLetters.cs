using Microsoft.Extensions.Logging;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Messaging;
using Orchestrator.Runtime.Storage;

namespace Orchestrator.Runtime.Silos;

/// <summary>
/// Tells a grain that implements <see cref="IDeadLetterObserver"/> that one of its messages was parked: a notice
/// message to the grain itself, stored once per parked message (its dedupe key is the parked message's id) and
/// delivered as an ordinary turn.
/// </summary>
internal sealed partial class Activation
{
    private async Task NotifyDeadLetterAsync(InboxMessage message, MessageFailure failure)
    {
        if (!typeof(IDeadLetterObserver).IsAssignableFrom(_class.ClrType))
        {
            return;
        }
        MessageBody? parked = null;
        try
        {
            parked = MessageBody.Parse(message.Payload);
        }
        catch (InvalidMessageException)
        {
            // Unreadable: the notice says so, without a method or arguments.
        }
        if (parked?.Kind == MessageBody.DeadLetterKind)
        {
            return; // a notice that failed: telling the grain again would only fail again
        }
        var notice = new MessageBody
        {
            Kind = MessageBody.DeadLetterKind,
            Interface = parked?.Interface,
            Method = parked?.Method,
            Args = parked?.Args,
            Reminder = parked?.Reminder,
            Due = parked?.Due,
            ParkedMessageId = message.Id,
            Error = failure.Error,
            Attempts = failure.Attempts,
            ParkedAt = failure.VisibleAt,
        };
        try
        {
            await _silo.Store.EnqueueAsync([new OutgoingMessage(Id, Shard, $"dead:{message.Id}", notice.ToBytes(), Clock.GetUtcNow())], _silo.Stopping);
        }
        catch (Exception ex)
        {
            // The message stays parked and listed; only the grain's notice is lost.
            Log.NoticeNotStored(_silo.Logger, Id, message.Id, ex);
        }
    }

    private Task DeliverDeadLetterNoticeAsync(Grain grain, MessageBody body)
    {
        if (grain is not IDeadLetterObserver observer)
        {
            return Task.CompletedTask;
        }
        IReadOnlyList<object?> arguments = [];
        if (body.Interface is { } iface && body.Method is { } method)
        {
            try
            {
                arguments = _silo.Registry.Method(iface, method).DeserializeArgs(body.Args);
            }
            catch (InvalidMessageException)
            {
                // Arguments the grain could not read before cannot be read now either; the notice goes without them.
            }
        }
        var name = body.Method ?? (body.Reminder is null ? "(unreadable message)" : nameof(IRemindable.ReceiveReminder));
        return observer.OnDeadLetter(new DeadLetterNotice(body.ParkedMessageId ?? 0, name, body.Error ?? "", body.Attempts, body.ParkedAt ?? Clock.GetUtcNow())
        {
            Reminder = body.Reminder,
            Arguments = arguments,
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Grain {Grain}: could not store the notice of dead letter {MessageId}")]
        public static partial void NoticeNotStored(ILogger logger, GrainId grain, long messageId, Exception exception);
    }
}
