using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Requests;
using Orchestrator.Runtime.Durable;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Reminders;
using Orleans.Runtime;
using TickStatus = Orleans.Runtime.TickStatus;

namespace Orchestrator.Grains.Schedules;

/// <summary>
/// A schedule on a plan. A durable wake-up at the next due time drives it; when it fires, every due time since the
/// last one handled up to now is decided in that turn (<see cref="FirePlanner"/>): started (through the overlap
/// policy) or recorded as skipped with its reason. Runs report back when they end, which frees the overlap slot, starts the
/// buffered or caught-up fire, and enforces the history limits.
/// </summary>
/// <remarks>
/// Exactly once per due time: <see cref="ScheduleState.LastDue"/> moves past each due time in the same write as the
/// decision about it and the run's start message (the outbox), and a run's instance id is derived from its due time,
/// so even a replayed start cannot make a second instance. An enabled schedule also keeps one Orleans reminder
/// (<see cref="KeepAliveReminder"/>, every <see cref="KeepAlivePeriod"/>) so that it is activated again after a silo
/// dies even if nothing else calls it; a tick decides what is due just as the wake-up does. Suspending or deleting the
/// schedule unregisters it.
/// </remarks>
[GrainType("schedule")]
public sealed partial class ScheduleGrain : RequestGrain<ScheduleState>, IScheduleGrain, IRemindable
{
    /// <summary>The wake-up at the next due time.</summary>
    private const string CronWakeUp = "cron";

    /// <summary>The Orleans reminder that keeps an enabled schedule alive (one per schedule, not per due time).</summary>
    internal const string KeepAliveReminder = "cron-keepalive";

    /// <summary>How often the keep-alive reminder ticks.</summary>
    internal static readonly TimeSpan KeepAlivePeriod = TimeSpan.FromMinutes(5);
    private const int MaxSkipped = 200;
    private const int MaxRunsKept = 200;

    private CronSchedule? _cron;

    public Task Save(SaveSchedule command) => Once(command.RequestId, () => SaveNow(command));

    private async Task SaveNow(SaveSchedule command)
    {
        if (Answered(command.RequestId))
        {
            return;
        }
        await AdoptStandardDayRule();
        var exists = State.Spec is not null && !State.Deleted;
        if (command.ExpectedRevision is { } expected && expected != (exists ? State.Revision : 0))
        {
            Reply(command.RequestId, 409, exists
                ? $"Schedule '{command.Name}' is at revision {State.Revision}, not {expected}."
                : $"Schedule '{command.Name}' does not exist (revision 0), not revision {expected}.");
            return;
        }
        var now = Clock.GetUtcNow();
        var old = exists ? EffectiveSpec() : null;
        if (!exists)
        {
            // New, or made again after a delete: a fresh schedule (runs of the old one carry on but are not its own).
            State = new ScheduleState { Requests = State.Requests, CreatedAt = now, LastDue = now };
        }
        State.PlanId = command.PlanId;
        State.Name = command.Name;
        State.Namespace = command.Namespace ?? State.Namespace;
        State.Spec = command.Spec;
        State.DayMatchingSaved = true;
        State.Revision++;
        State.UpdatedAt = now;
        _cron = null;
        var timingChanged = old is null || old.Cron != command.Spec.Cron || old.TimeZone != command.Spec.TimeZone
            || old.DayMatching != command.Spec.DayMatching || old.Suspend != command.Spec.Suspend;
        if (old is not null && old.Suspend && !command.Spec.Suspend)
        {
            RecordSuspendedFires(now);
        }
        if (timingChanged)
        {
            if (old is not null && !old.Suspend)
            {
                State.LastDue = now; // a new timing starts from now: no catch-up across an edit
            }
            await ArmOrDisarm();
        }
        WriteScheduleIndex();
        Reply(command.RequestId, 200, null, State.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task Delete(ScheduleCommand command) => Once(command.RequestId, () => DeleteNow(command));

    private async Task DeleteNow(ScheduleCommand command)
    {
        if (Answered(command.RequestId))
        {
            return;
        }
        if (State.Spec is null || State.Deleted)
        {
            Reply(command.RequestId, 404, $"No schedule '{GrainKey}'.");
            return;
        }
        State.Deleted = true;
        State.Buffered = null;
        State.Backlog.Clear();
        State.UpdatedAt = Clock.GetUtcNow();
        await ArmOrDisarm();
        DeleteIndex(IndexKinds.Schedule, State.IndexPartition ?? "", GrainKey);
        State.IndexPartition = null;
        Reply(command.RequestId, 200, null);
    }

    public Task SetSuspended(SuspendSchedule command) => Once(command.RequestId, () => SetSuspendedNow(command));

    private async Task SetSuspendedNow(SuspendSchedule command)
    {
        if (Answered(command.RequestId))
        {
            return;
        }
        if (State.Spec is null || State.Deleted)
        {
            Reply(command.RequestId, 404, $"No schedule '{GrainKey}'.");
            return;
        }
        await AdoptStandardDayRule();
        if (State.Spec.Suspend != command.Suspend)
        {
            var now = Clock.GetUtcNow();
            if (!command.Suspend)
            {
                RecordSuspendedFires(now);
            }
            State.Spec = State.Spec with { Suspend = command.Suspend };
            State.Revision++;
            State.UpdatedAt = now;
            await ArmOrDisarm();
            WriteScheduleIndex();
        }
        Reply(command.RequestId, 200, null, State.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task UpgradeDayRule(ScheduleCommand command) => Once(command.RequestId, () => UpgradeDayRuleNow(command));

    private async Task UpgradeDayRuleNow(ScheduleCommand command)
    {
        if (Answered(command.RequestId))
        {
            return;
        }
        var changed = await AdoptStandardDayRule();
        if (State.Spec is not null && !State.Deleted)
        {
            WriteScheduleIndex(); // the sweep asks while the row shows another rule; now it shows the one in force
        }
        Reply(command.RequestId, 200, null, changed ? "true" : "false");
    }

    public Task RunNow(RunScheduleNow command) => Once(command.RequestId, () => RunNowNow(command));

    private Task RunNowNow(RunScheduleNow command)
    {
        if (Answered(command.RequestId))
        {
            return Task.CompletedTask;
        }
        if (State.Spec is null || State.Deleted)
        {
            Reply(command.RequestId, 404, $"No schedule '{GrainKey}'.");
            return Task.CompletedTask;
        }
        StartRun(command.InstanceId, null, RunTrigger.Manual, command.By);
        Reply(command.RequestId, 200, null, command.InstanceId);
        return Task.CompletedTask;
    }

    /// <summary>The keep-alive reminder: decides what is due (a wake-up the schedule's silo took with it), or unregisters itself.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != KeepAliveReminder || State.Spec is null || State.Deleted || State.Spec.Suspend)
        {
            await UnregisterKeepAlive(reminderName);
            return;
        }
        await AdoptStandardDayRule();
        await FireDueAsync();
    }

    protected override async Task OnWakeUpAsync(string name)
    {
        if (name != CronWakeUp || State.Spec is null || State.Deleted || State.Spec.Suspend)
        {
            return;
        }
        await AdoptStandardDayRule();
        await FireDueAsync();
    }

    /// <summary>
    /// Decides every due time after <see cref="ScheduleState.LastDue"/> up to now, once (<see cref="FirePlanner"/>),
    /// and arms the wake-up at the next one.
    /// </summary>
    private async Task FireDueAsync()
    {
        var spec = State.Spec!;
        var now = Clock.GetUtcNow();
        var lastDue = State.LastDue ?? now;
        var (dues, dropped) = FirePlanner.DueTimes(Cron(), lastDue, now);
        if (dues.Count == 0)
        {
            await ArmOrDisarm(); // nothing due yet (woken early): wait for the next one
            return;
        }
        var latest = dues[^1];
        if (dropped > 0)
        {
            Skip(dues[0], spec.CatchUp == CatchUpMode.All ? SkipReason.BeyondCatchUpWindow : SkipReason.Missed,
                $"{dropped} older due times were missed while the schedule could not fire", dropped);
        }
        State.LastDue = latest;
        foreach (var decision in FirePlanner.Decide(spec, dues, now))
        {
            if (decision.Skip is { } reason)
            {
                Skip(decision.Due, reason, decision.Detail);
            }
            else
            {
                Fire(decision.Due, decision.Start!.Value);
            }
        }
        await ArmOrDisarm();
        WriteScheduleIndex();
    }

    public ValueTask<ScheduleView?> GetAsync()
    {
        if (State.Spec is null)
        {
            return ValueTask.FromResult<ScheduleView?>(null);
        }
        return ValueTask.FromResult<ScheduleView?>(new ScheduleView(
            GrainKey, State.PlanId, State.Name, EffectiveSpec()!, State.Revision, State.Deleted, State.CreatedAt, State.UpdatedAt,
            NextDue(), State.LastDue, State.Fired, State.SkippedCount, [.. State.Active], State.Buffered, [.. State.Backlog],
            [.. State.Runs], [.. State.Skipped]) { Namespace = Namespaces.Of(State.Namespace) });
    }

    public ValueTask<RequestResult?> GetRequestResultAsync(string requestId) => FindRequestAsync(requestId);

    /// <summary>The next due time, or null while suspended or deleted.</summary>
    private DateTimeOffset? NextDue()
    {
        if (State.Spec is not { Suspend: false } || State.Deleted)
        {
            return null;
        }
        var now = Clock.GetUtcNow();
        var from = State.LastDue is { } last && last > now ? last : now;
        return Cron().NextAfter(from);
    }

    /// <summary>The schedule's cron in its zone. Saved specs were validated when saved; a zone id an earlier version accepted still loads.</summary>
    private CronSchedule Cron() => _cron ??= CronSchedule.ParseSaved(State.Spec!.Cron, State.Spec.TimeZone, EffectiveSpec()!.DayMatching);

    private ScheduleSpec? EffectiveSpec() => State.EffectiveSpec();

    /// <summary>
    /// A Harbor periodic job's schedule saved before day matching existed (<see cref="ScheduleState.AdoptsStandardDayRule"/>)
    /// is saved with the standard rule it already follows, and its wake-up — armed then under both-must-match, so
    /// firing only on the days both fields match — is armed again under that rule. Before anything else a turn
    /// does, so that whatever it writes (the index row, a fire) is under the rule in force. True when it changed it.
    /// </summary>
    private async Task<bool> AdoptStandardDayRule()
    {
        if (!State.AdoptsStandardDayRule)
        {
            return false;
        }
        State.Spec = State.EffectiveSpec();
        State.DayMatchingSaved = true;
        _cron = null;
        if (!State.Deleted)
        {
            await ArmOrDisarm();
        }
        return true;
    }

    /// <summary>
    /// When the schedule should fire: the wake-up at its next due time and the keep-alive reminder (registered once).
    /// Otherwise neither. The reminder is Orleans' own row, not part of this turn's write: registering it again is
    /// harmless, and a tick finding the schedule disabled unregisters it.
    /// </summary>
    private async Task ArmOrDisarm()
    {
        if (State.Spec is { Suspend: false } && !State.Deleted && NextDue() is { } next)
        {
            ArmWakeUp(CronWakeUp, next);
            if (!State.KeepAlive)
            {
                await this.RegisterOrUpdateReminder(KeepAliveReminder, KeepAlivePeriod, KeepAlivePeriod);
                State.KeepAlive = true;
            }
            return;
        }
        DisarmWakeUp(CronWakeUp);
        if (State.KeepAlive)
        {
            await UnregisterKeepAlive(KeepAliveReminder);
            State.KeepAlive = false;
        }
    }

    private async Task UnregisterKeepAlive(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>On resume: every due time passed while suspended is recorded as skipped, and firing goes on from now.</summary>
    private void RecordSuspendedFires(DateTimeOffset now)
    {
        var (dues, dropped) = FirePlanner.DueTimes(Cron(), State.LastDue ?? now, now);
        if (dropped > 0)
        {
            Skip(dues.Count > 0 ? dues[0] : now, SkipReason.Suspended, $"{dropped} older due times passed while the schedule was suspended", dropped);
        }
        foreach (var due in dues)
        {
            Skip(due, SkipReason.Suspended, "the schedule was suspended");
        }
        State.LastDue = now;
    }

    private void WriteScheduleIndex()
    {
        var spec = EffectiveSpec()!;
        var ns = Namespaces.Of(State.Namespace);
        if (State.IndexPartition != ns)
        {
            DeleteIndex(IndexKinds.Schedule, State.IndexPartition ?? "", GrainKey); // the row of before namespaces, if any
            State.IndexPartition = ns;
        }
        WriteIndex(new IndexRow(IndexKinds.Schedule, ns, GrainKey, spec.Suspend ? 1 : 0, DomainJson.Serialize(
            new ScheduleIndexData(State.PlanId, State.Name, spec.Cron, spec.TimeZone, spec.Suspend, NextDue(), State.LastDue, spec.Labels, spec.DayMatching))));
    }

    private void Reply(string requestId, int code, string? error, string? value = null) =>
        Answer(code == 200 ? RequestResult.Done(requestId, value) : RequestResult.Fail(requestId, code, error!));
}
