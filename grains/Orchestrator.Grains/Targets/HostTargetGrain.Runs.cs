using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Model;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Targets;

public sealed partial class HostTargetGrain
{
    /// <summary>Starts a new run: an assignment for the host's agent, or agent-offline at once if it has none.</summary>
    private async Task Dispatch(bool hostOnline)
    {
        State.Run++;
        State.Percent = null;
        State.ProgressMessage = null;
        State.ProgressAt = null;
        State.SessionId = null;
        State.Attempts.Add(new TargetAttempt(State.Run, State.StepAttempt, TargetStatus.Dispatched, null, TimeProvider.GetUtcNow(), null, null, null, null));
        if (!hostOnline)
        {
            State.Status = TargetStatus.Dispatched;
            await EndAttempt(TargetStatus.AgentOffline, null, $"host '{State.Host}' has no live agent", failStep: false);
            return;
        }
        State.Status = TargetStatus.Dispatched;
        WriteAssignment(AssignmentState.Dispatched);
        WriteTargetRow(State.StepAttempt);
    }

    private async Task OnFinished(TargetAgentEvent e)
    {
        if (e.UploadedSha256 is { } sha)
        {
            State.Outputs["sha256"] = sha;
        }
        foreach (var (name, value) in e.Outputs ?? new Dictionary<string, string>())
        {
            State.Outputs[name] = value;
        }
        UpdateAttempt(a => a with { StartedAt = a.StartedAt ?? e.StartedAt, LogChunks = e.LogChunks });
        if (State.Status == TargetStatus.Stopping)
        {
            await EndAttempt(e.Outcome == "succeeded" ? TargetStatus.Succeeded : TargetStatus.Stopped, e.ExitCode, e.Message, failStep: false);
            return;
        }
        var (status, failStep, mayRetry) = e.Outcome switch
        {
            "succeeded" => (TargetStatus.Succeeded, false, true),
            "timedOut" => (TargetStatus.TimedOut, false, true),
            "cancelled" => (TargetStatus.Stopped, false, true),
            "failed" when e.ExitCode is { } code => ApplyExitCodeRules(code),
            _ => (TargetStatus.Failed, false, true),
        };
        await EndAttempt(status, e.ExitCode, e.Message, failStep, mayRetry);
    }

    /// <summary>
    /// The first rule matching the code decides; an unmatched non-zero code counts against the budget. Failing the
    /// step and failing the target (Kubernetes' FailJob and FailIndex) both skip the retries.
    /// </summary>
    private (TargetStatus Status, bool FailStep, bool MayRetry) ApplyExitCodeRules(int code)
    {
        var rule = State.ExitCodes.FirstOrDefault(r => r.Matches(code));
        return rule?.Action switch
        {
            ExitCodeAction.Ignore => (TargetStatus.Succeeded, false, true),
            ExitCodeAction.FailStep => (TargetStatus.Failed, true, false),
            ExitCodeAction.FailTarget => (TargetStatus.Failed, false, false),
            _ => (code == 0 ? TargetStatus.Succeeded : TargetStatus.Failed, false, true),
        };
    }

    /// <summary>Ends the current run: retry after back-off if the policy allows, else report the final status.</summary>
    private async Task EndAttempt(TargetStatus status, int? exitCode, string? error, bool failStep, bool mayRetry = true)
    {
        await Disarm(TimeoutReminder);
        await Disarm(CancelReminder);
        EndRun(status, exitCode, error);
        if (status.IsFailure() && !failStep && mayRetry && State.RetriesUsed < State.Retry.Limit)
        {
            State.RetriesUsed++;
            State.Status = TargetStatus.Retrying;
            WriteTargetRow(State.StepAttempt);
            await Arm(RetryReminder, State.Retry.BackoffBefore(State.RetriesUsed), OneShot.Period);
            return;
        }
        await Report(status, exitCode, failStep);
    }

    private void EndRun(TargetStatus status, int? exitCode, string? error)
    {
        DeleteIndex(IndexKinds.Assignment, State.Host, GrainKeys.Assignment(GrainKey, State.Run));
        UpdateAttempt(a => a with { Status = status, ExitCode = exitCode, FinishedAt = TimeProvider.GetUtcNow(), Error = error });
    }

    private Task Report(TargetStatus status, int? exitCode, bool failStep)
    {
        State.Status = status;
        WriteTargetRow(State.StepAttempt);
        var (_, name) = GrainKeys.SplitTarget(GrainKey);
        return GrainFactory.GetGrain<IStepGrain>(State.StepKey)
            .OnTargetFinished(new TargetReport(name, State.StepAttempt, status, exitCode, failStep, State.Outputs.Count > 0 ? new Dictionary<string, string>(State.Outputs) : null));
    }

    private Task Arm(string name, TimeSpan due, TimeSpan period)
    {
        if (!State.ArmedReminders.Contains(name))
        {
            State.ArmedReminders.Add(name);
        }
        return RegisterOrUpdateReminder(name, SafeTime.Due(due), period);
    }

    private Task Disarm(string name) => State.ArmedReminders.Remove(name) ? UnregisterReminder(name) : Task.CompletedTask;

    private void UpdateAttempt(Func<TargetAttempt, TargetAttempt> change)
    {
        if (State.Attempts.Count > 0)
        {
            State.Attempts[^1] = change(State.Attempts[^1]);
        }
    }

    private void WriteAssignment(AssignmentState state)
    {
        var record = new AssignmentRecord(GrainKeys.Assignment(GrainKey, State.Run), State.Host, State.Work!,
            State.Timeout is { } t ? SafeTime.Milliseconds(t) : null, State.SessionId);
        WriteIndex(new IndexRow(IndexKinds.Assignment, State.Host, record.Id, (int)state, DomainJson.Serialize(record)));
    }

    private void WriteTargetRow(int stepAttempt)
    {
        var last = State.Attempts.Count > 0 ? State.Attempts[^1] : null;
        var (stepKey, name) = GrainKeys.SplitTarget(GrainKey);
        var data = new TargetIndexData(State.Status, State.Run, stepAttempt, last?.ExitCode, last?.StartedAt, last?.FinishedAt, State.Percent, last?.Error);
        WriteIndex(new IndexRow(IndexKinds.Target, stepKey, name, (int)State.Status, DomainJson.Serialize(data)));
    }
}
