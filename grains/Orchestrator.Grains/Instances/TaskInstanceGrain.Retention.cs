using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;

namespace Orchestrator.Grains.Instances;

/// <summary>
/// Deleting a finished instance — on request, or when the plan's <c>ttlSecondsAfterFinished</c> has passed since it
/// finished (Kubernetes' TTL-after-finished). The instance drops its index row and big state and keeps a tombstone;
/// each started step then deletes its own targets, chunk by chunk, and each target its logs.
/// </summary>
public sealed partial class TaskInstanceGrain
{
    private const string RetentionReminder = "retention";

    /// <summary>Who deletes an instance whose time after finishing is up.</summary>
    internal const string RetentionActor = "retention";

    /// <summary>
    /// How early the retention reminder may fire and still delete: reminder due times are kept to the millisecond,
    /// so a due time can read slightly before <c>FinishedAt + ttl</c>.
    /// </summary>
    private static readonly TimeSpan RetentionSlack = TimeSpan.FromSeconds(1);

    public Task Delete(DeleteInstance command) => Once(command.RequestId, () => DeleteNow(command));

    private Task DeleteNow(DeleteInstance command)
    {
        if (Answered(command.RequestId))
        {
            return Task.CompletedTask;
        }
        if (State.DeletedAt is not null)
        {
            return Reply(command.RequestId, 200, null);
        }
        if (State.Definition is null)
        {
            return Reply(command.RequestId, 404, $"Task instance '{GrainKey}' does not exist.");
        }
        if (!State.Status.IsFinal())
        {
            return Reply(command.RequestId, 409, $"Task instance '{GrainKey}' is {State.Status}; only a finished instance can be deleted.");
        }
        DeleteFinished(command.By, command.Reason);
        return Reply(command.RequestId, 200, null);
    }

    /// <summary>Called once the instance reaches a final status: arms its deletion if the plan sets a time to keep it.</summary>
    partial void ArmRetention();

    partial void ArmRetention()
    {
        if (State.Definition?.TtlAfterFinished is { } ttl)
        {
            // A retry that reopens the instance leaves the wake-up armed: it then finds the instance running and
            // drops itself, and finishing again arms it afresh from the new finish.
            ArmWakeUp(RetentionReminder, SafeTime.After(Clock.GetUtcNow(), ttl));
        }
    }

    /// <summary>A wake-up other than the start: retention's (delete if still finished and due), or one no longer known.</summary>
    private void OnRetentionWakeUp(string name)
    {
        if (name != RetentionReminder || State.DeletedAt is not null || !State.Status.IsFinal()
            || State.Definition?.TtlAfterFinished is not { } ttl || State.FinishedAt is not { } finishedAt)
        {
            return;
        }
        // The whole ttl, not the reminder's clamped wait: a ttl past the longest wait re-arms until it is really due.
        var now = Clock.GetUtcNow();
        var remaining = SafeTime.Add(finishedAt, ttl) - now;
        if (remaining > RetentionSlack)
        {
            // Finished again later than this wake-up was armed for (a retry that the wake-up outlived).
            ArmWakeUp(RetentionReminder, SafeTime.After(now, remaining));
            return;
        }
        DeleteFinished(RetentionActor, $"{ttl} after it finished (ttlSecondsAfterFinished)");
    }

    /// <summary>Deletes a finished instance: its index row now, its steps through messages; leaves a tombstone.</summary>
    private void DeleteFinished(string by, string? reason)
    {
        DeleteIndex(IndexKinds.Instance, State.IndexPartition ?? "", GrainKey);
        DeleteIndex(IndexKinds.InstanceByTime, State.IndexPartition ?? "", IndexKinds.InstanceTimeKey(State.CreatedAt, GrainKey));
        DisarmWakeUp(RetentionReminder);
        for (var i = 0; i < State.Steps.Count; i++)
        {
            if (State.Steps[i].Attempt > 0)
            {
                StepGrain(i).Delete(0);
            }
        }
        if (State.Options.Hook is not null)
        {
            // Read before the tombstone replaces the options: the hook's parked rows and undelivered events go with the instance.
            Send<IStatusHookGrain>(HookSubjects.Instance(GrainKey)).Purge(new HookPurge($"task instance deleted by {by}"));
        }
        // The tombstone: enough to answer request ids and to refuse a late start, nothing that grows with the plan.
        State = new TaskInstanceState
        {
            PlanId = State.PlanId,
            PlanVersion = State.PlanVersion,
            Namespace = State.Namespace,
            Status = State.Status,
            By = State.By,
            CreatedAt = State.CreatedAt,
            StartedAt = State.StartedAt,
            FinishedAt = State.FinishedAt,
            Revision = State.Revision,
            Requests = State.Requests,
            DeletedAt = Clock.GetUtcNow(),
            DeletedBy = by,
            DeleteReason = reason,
        };
    }
}
