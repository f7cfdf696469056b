using System.Globalization;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Schedules;

public sealed partial class ScheduleGrain
{
    public Task OnRunFinished(ScheduledRunFinished report)
    {
        State.Active.Remove(report.InstanceId);
        var index = State.Runs.FindIndex(r => r.InstanceId == report.InstanceId);
        if (index >= 0)
        {
            // A run retried after it ended reports again: the latest outcome counts, and a run the history limit
            // tried to delete while it was running again (refused) is evidently still there.
            State.Runs[index] = State.Runs[index] with { Status = report.Status, FinishedAt = report.At, Deleted = false };
        }
        ApplyHistoryLimits();
        Drain();
        return Task.CompletedTask;
    }

    public Task OnRunRejected(ScheduledRunRejected report)
    {
        State.Active.Remove(report.InstanceId);
        var index = State.Runs.FindIndex(r => r.InstanceId == report.InstanceId);
        if (index >= 0)
        {
            var run = State.Runs[index];
            State.Runs.RemoveAt(index);
            State.Fired--;
            Skip(run.DueTime ?? Clock.GetUtcNow(), SkipReason.Rejected, report.Error);
        }
        Drain();
        return Task.CompletedTask;
    }

    /// <summary>A due time to start, through the overlap policy.</summary>
    private void Fire(DateTimeOffset due, RunTrigger trigger)
    {
        var spec = State.Spec!;
        if (spec.Overlap == OverlapPolicy.Allow)
        {
            StartScheduled(due, trigger);
            return;
        }
        if (trigger == RunTrigger.CatchUp)
        {
            // Missed due times run one after another, in order.
            State.Backlog.Add(due);
            Drain();
            return;
        }
        if (State.Active.Count == 0 && State.Backlog.Count == 0)
        {
            StartScheduled(due, trigger);
            return;
        }
        var running = State.Active.Count > 0 ? $"run {State.Active[^1]} is still going" : "missed runs are still being caught up";
        switch (spec.Overlap)
        {
            case OverlapPolicy.Forbid:
                Skip(due, SkipReason.Overlap, $"{running}; overlap is forbid");
                break;
            case OverlapPolicy.Replace:
                foreach (var active in State.Active)
                {
                    Send<ITaskInstanceGrain>(active)
                        .Cancel(new InstanceControl($"replace:{active}", By, $"replaced by the run due at {due:O}"));
                }
                foreach (var waiting in State.Backlog)
                {
                    Skip(waiting, SkipReason.Overlap, $"replaced by the fire due at {due:O}");
                }
                State.Backlog.Clear();
                StartScheduled(due, trigger);
                break;
            case OverlapPolicy.BufferOne:
                if (State.Buffered is { } older)
                {
                    Skip(older, SkipReason.Overlap, $"waited in the buffer and was replaced by the fire due at {due:O}");
                }
                State.Buffered = due;
                break;
        }
    }

    /// <summary>When nothing runs (or overlap is Allow), starts the next caught-up fire, else the buffered one.</summary>
    private void Drain()
    {
        while (!State.Deleted && State.Spec is { } spec && (State.Active.Count == 0 || spec.Overlap == OverlapPolicy.Allow))
        {
            DateTimeOffset due;
            RunTrigger trigger;
            if (State.Backlog.Count > 0)
            {
                due = State.Backlog[0];
                State.Backlog.RemoveAt(0);
                trigger = RunTrigger.CatchUp;
            }
            else if (State.Buffered is { } buffered)
            {
                due = buffered;
                State.Buffered = null;
                trigger = RunTrigger.Schedule;
            }
            else
            {
                return;
            }
            var late = Clock.GetUtcNow() - due;
            if (spec.StartingDeadline is { } deadline && late > deadline)
            {
                Skip(due, SkipReason.DeadlinePassed, $"waited {Math.Round(late.TotalSeconds)}s for the previous run; the starting deadline is {Math.Round(deadline.TotalSeconds)}s");
                continue;
            }
            StartScheduled(due, trigger);
        }
    }

    private void StartScheduled(DateTimeOffset due, RunTrigger trigger) => StartRun(InstanceIdFor(due), due, trigger, By);

    private void StartRun(string instanceId, DateTimeOffset? due, RunTrigger trigger, string by)
    {
        var spec = State.Spec!;
        var now = Clock.GetUtcNow();
        var options = new RunOptions
        {
            Hook = spec.Hook,
            HookFormat = spec.HookFormat,
            Schedule = GrainKey,
            DueTime = due,
            Labels = spec.Labels,
        };
        var requestId = "schedule:" + instanceId;
        if (spec.InlinePlan is { } plan)
        {
            Send<ITaskInstanceGrain>(instanceId)
                .Start(new StartInstance(requestId, State.PlanId, 0, plan, spec.Parameters, by, now, options));
        }
        else
        {
            Send<IPlanGrain>(State.PlanId)
                .Run(new RunPlan(requestId, instanceId, spec.PlanVersion ?? 0, spec.Parameters, by, options));
        }
        State.Active.Add(instanceId);
        State.Runs.Add(new ScheduledRun(instanceId, due, trigger, now, null, null, false));
        State.Fired++;
    }

    /// <summary>Keeps the newest finished runs within the limits (succeeded; failed, stopped or cancelled) and deletes the rest.</summary>
    private void ApplyHistoryLimits()
    {
        var spec = State.Spec!;
        var finished = State.Runs.Where(r => r.Status is not null && !r.Deleted && !State.Active.Contains(r.InstanceId)).ToList();
        var succeeded = finished.Where(r => r.Status is ExecutionStatus.Succeeded or ExecutionStatus.Skipped).ToList();
        var failed = finished.Except(succeeded).ToList();
        foreach (var run in succeeded.Take(Math.Max(0, succeeded.Count - spec.SuccessfulHistoryLimit))
                     .Concat(failed.Take(Math.Max(0, failed.Count - spec.FailedHistoryLimit))))
        {
            DeleteRun(run);
            var index = State.Runs.IndexOf(run);
            State.Runs[index] = run with { Deleted = true };
        }
        for (var i = 0; State.Runs.Count > MaxRunsKept && i < State.Runs.Count;)
        {
            if (State.Runs[i].Deleted)
            {
                State.Runs.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>Deletes a finished run; the request id names the finish, so a run that finishes again is asked afresh.</summary>
    private void DeleteRun(ScheduledRun run) =>
        Send<ITaskInstanceGrain>(run.InstanceId)
            .Delete(new DeleteInstance($"history:{run.InstanceId}:{run.FinishedAt?.UtcTicks}", By, "beyond the schedule's history limit"));

    private void Skip(DateTimeOffset due, SkipReason reason, string detail, long count = 1)
    {
        State.Skipped.Add(new SkippedFire(due, reason, detail, Clock.GetUtcNow()));
        if (State.Skipped.Count > MaxSkipped)
        {
            State.Skipped.RemoveAt(0);
        }
        State.SkippedCount += count;
    }

    private string By => "schedule:" + GrainKey;

    /// <summary>The task instance id of a due time: plan, schedule and the due time, so a due time can only ever make one instance.</summary>
    private string InstanceIdFor(DateTimeOffset due)
    {
        var stamp = due.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var id = $"{State.PlanId}.{State.Name}.{stamp}";
        if (id.Length <= 128)
        {
            return id;
        }
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(GrainKey)))[..16];
        return $"s{hash}.{stamp}";
    }
}
