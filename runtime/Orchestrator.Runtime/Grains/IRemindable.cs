using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Grains;

/// <summary>Implemented by grains that register reminders; each due time is delivered once, as a turn.</summary>
public interface IRemindable
{
    Task ReceiveReminder(string reminderName, TickStatus status);
}
