using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Runtime.Grains;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Grains.Schedules;

/// <summary>
/// A schedule on a plan. One cron reminder drives it; each tick stands for a due time, and every due time since the
/// last one handled is decided in that turn (<see cref="FirePlanner"/>): started (through the overlap policy) or
/// recorded as skipped with its reason. Runs report back when they end, which frees the overlap slot, starts the
/// buffered or caught-up fire, and enforces the history limits.
/// </summary>
/// <remarks>
/// Exactly once per due time: the runtime fires each due time of the reminder once, this turn commits the decision,
/// the run's start message and the new state together, and a run's instance id is derived from its due time, so even
/// a replayed start cannot make a second instance.
/// </remarks>
[GrainType("schedule")]
public sealed partial class ScheduleGrain : Grain<ScheduleState>, IScheduleGrain, IRemindable
{
    private const string CronReminder = "cron";
    private const int MaxSkipped = 200;
    private const int MaxRunsKept = 200;

    private CronSchedule? _cron;

    public async Task Save(SaveSchedule command)
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
        var now = TimeProvider.GetUtcNow();
        var old = exists ? EffectiveSpec() : null;
        if (!exists)
        {
            // New, or made again after a delete: a fresh schedule (runs of the old one carry on but are not its own).
            State = new ScheduleState { Requests = State.Requests, CreatedAt = now, LastDue = now };
        }
        State.PlanId = command.PlanId;
        State.Name = command.Name;
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

    public async Task Delete(ScheduleCommand command)
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
        State.UpdatedAt = TimeProvider.GetUtcNow();
        await UnregisterReminder(CronReminder);
        DeleteIndex(IndexKinds.Schedule, "", GrainKey);
        Reply(command.RequestId, 200, null);
    }

    public async Task SetSuspended(SuspendSchedule command)
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
            var now = TimeProvider.GetUtcNow();
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

    public async Task UpgradeDayRule(ScheduleCommand command)
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

    public Task RunNow(RunScheduleNow command)
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

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != CronReminder || State.Spec is null || State.Deleted || State.Spec.Suspend)
        {
            await UnregisterReminder(reminderName);
            return;
        }
        await AdoptStandardDayRule();
        var lastDue = State.LastDue ?? status.DueTime.AddTicks(-1);
        if (status.DueTime <= lastDue)
        {
            return; // this due time was handled already (the timing was edited after it was fired)
        }
        var now = TimeProvider.GetUtcNow();
        var (dues, dropped) = FirePlanner.DueTimes(Cron(), lastDue, status.DueTime);
        if (dropped > 0)
        {
            Skip(dues.Count > 0 ? dues[0] : status.DueTime, State.Spec.CatchUp == CatchUpMode.All ? SkipReason.BeyondCatchUpWindow : SkipReason.Missed,
                $"{dropped} older due times were missed while the schedule could not fire", dropped);
        }
        State.LastDue = status.DueTime;
        foreach (var decision in FirePlanner.Decide(State.Spec, dues, now))
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
            [.. State.Runs], [.. State.Skipped]));
    }

    public ValueTask<RequestResult?> GetRequestResultAsync(string requestId) => ValueTask.FromResult(State.Requests.Find(requestId));

    /// <summary>The next due time, or null while suspended or deleted.</summary>
    private DateTimeOffset? NextDue()
    {
        if (State.Spec is not { Suspend: false } || State.Deleted)
        {
            return null;
        }
        var now = TimeProvider.GetUtcNow();
        var from = State.LastDue is { } last && last > now ? last : now;
        return Cron().NextAfter(from);
    }

    /// <summary>The schedule's cron in its zone. Saved specs were validated when saved; a zone id an earlier version accepted still loads.</summary>
    private CronSchedule Cron() => _cron ??= CronSchedule.ParseSaved(State.Spec!.Cron, State.Spec.TimeZone, EffectiveSpec()!.DayMatching);

    private ScheduleSpec? EffectiveSpec() => State.EffectiveSpec();

    /// <summary>
    /// A Harbor periodic job's schedule saved before day matching existed (<see cref="ScheduleState.AdoptsStandardDayRule"/>)
    /// is saved with the standard rule it already follows, and its reminder — stored then with both-must-match, so
    /// firing only on the days both fields match — is registered again under that rule. Before anything else a turn
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

    /// <summary>Registers the cron reminder when the schedule should fire, removes it otherwise.</summary>
    private Task ArmOrDisarm() =>
        State.Spec is { Suspend: false } && !State.Deleted
            ? RegisterOrUpdateReminder(CronReminder, Cron(), MisfirePolicy.FireOnceNow)
            : UnregisterReminder(CronReminder);

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
        WriteIndex(new IndexRow(IndexKinds.Schedule, "", GrainKey, spec.Suspend ? 1 : 0, DomainJson.Serialize(
            new ScheduleIndexData(State.PlanId, State.Name, spec.Cron, spec.TimeZone, spec.Suspend, NextDue(), State.LastDue, spec.Labels, spec.DayMatching))));
    }

    private bool Answered(string requestId) => State.Requests.Find(requestId) is not null;

    private void Reply(string requestId, int code, string? error, string? value = null) =>
        State.Requests.Add(code == 200 ? RequestResult.Done(requestId, value) : RequestResult.Fail(requestId, code, error!));
}
