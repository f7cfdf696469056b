namespace Orchestrator.Grains.Instances;

public sealed partial class TaskInstanceGrain
{
    /// <summary>Called once the instance reaches a final status.</summary>
    partial void ArmRetention();

    /// <summary>A reminder this grain no longer knows: drop it.</summary>
    private Task OnRetentionReminder(string reminderName) => UnregisterReminder(reminderName);
}
