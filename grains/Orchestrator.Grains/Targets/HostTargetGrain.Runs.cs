using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Grains.Telemetry;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Telemetry;

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
        State.OutputDigest = null;
        State.OutputExcerpt = null;
        State.Attempts.Add(new TargetAttempt(State.Run, State.StepAttempt, TargetStatus.Dispatched, null, Clock.GetUtcNow(), null, null, null, null));
        if (!hostOnline)
        {
            State.Status = TargetStatus.Dispatched;
            await EndAttempt(new RunVerdict(TargetStatus.AgentOffline), null, $"host '{State.Host}' has no live agent");
            return;
        }
        State.Status = TargetStatus.Dispatched;
        using (var span = RunTrace.Start("orchestrator.target.dispatch", State.TraceParent))
        {
            span?.SetTag("orchestrator.target", GrainKey);
            span?.SetTag("orchestrator.run", State.Run);
            State.RunTraceParent = RunTrace.Id(span, State.TraceParent);
        }
        OrchestratorMetrics.Assignments.Add(1);
        WriteAssignment(AssignmentState.Dispatched);
        WriteTargetRow(State.StepAttempt);
    }

    private async Task OnFinished(TargetAgentEvent e)
    {
        OrchestratorMetrics.ReportLatency.Record(GrainMetrics.Seconds(e.At, Clock.GetUtcNow()));
        // Under the agent's span when its report carried one: the agent's work, then what the server made of it.
        using var span = RunTrace.Start("orchestrator.target.finish", e.TraceParent ?? State.RunTraceParent);
        span?.SetTag("orchestrator.target", GrainKey);
        span?.SetTag("orchestrator.exit_code", e.ExitCode);
        if (e.UploadedSha256 is { } sha)
        {
            State.Outputs["sha256"] = sha;
        }
        foreach (var (name, value) in e.Outputs ?? new Dictionary<string, string>())
        {
            State.Outputs[name] = value;
        }
        UpdateAttempt(a => a with { StartedAt = a.StartedAt ?? e.StartedAt, LogChunks = e.LogChunks });
        await DigestOutputAsync(e.LogChunks ?? 0);
        var verdict = State.Status == TargetStatus.Stopping
            ? RunJudgement.WhileStopping(e.Outcome, e.ExitCode, State.ExitCodes)
            : RunJudgement.Finished(e.Outcome, e.ExitCode, State.ExitCodes);
        await EndAttempt(verdict, e.ExitCode, e.Message);
    }

    /// <summary>Ends the current run: retry after back-off if the policy allows, else report the final status.</summary>
    private async Task EndAttempt(RunVerdict verdict, int? exitCode, string? error)
    {
        DisarmWakeUp(TimeoutWakeUp);
        DisarmWakeUp(CancelWakeUp);
        EndRun(verdict.Status, exitCode, error);
        if (RetryDecision.Backoff(verdict, State.RetriesUsed, State.Retry) is { } backoff)
        {
            State.RetriesUsed++;
            State.Status = TargetStatus.Retrying;
            WriteTargetRow(State.StepAttempt);
            ArmWakeUp(RetryWakeUp, SafeTime.After(Clock.GetUtcNow(), backoff));
            return;
        }
        await Report(verdict.Status, exitCode, verdict.FailStep);
    }

    private void EndRun(TargetStatus status, int? exitCode, string? error)
    {
        DeleteIndex(IndexKinds.Assignment, State.Host, GrainKeys.Assignment(GrainKey, State.Run));
        UpdateAttempt(a => a with { Status = status, ExitCode = exitCode, FinishedAt = Clock.GetUtcNow(), Error = error });
    }

    /// <summary>
    /// Records the final status and tells the step. A target's report is a notice, not an outbox message: it needs no
    /// acknowledgement written, so a finished target costs two writes, not three. If the call is lost, the step finds
    /// the target's row final with its position uncounted and asks for the report (<see cref="GetReportAsync"/>). A
    /// file source (no position; the step tracks it by name) reports through the outbox.
    /// </summary>
    private Task Report(TargetStatus status, int? exitCode, bool failStep)
    {
        GrainMetrics.Target(status);
        State.Status = status;
        State.ReportedAttempt = State.StepAttempt;
        State.ReportedExitCode = exitCode;
        State.ReportedFailStep = failStep;
        WriteTargetRow(State.StepAttempt);
        DeactivateWhenDelivered(); // done: nothing keeps it in memory once the step has the report
        var report = CurrentReport();
        if (report.Position < 0)
        {
            return Send<IStepGrain>(State.StepKey).OnTargetFinished(report);
        }
        var step = GrainFactory.GetGrain<IStepGrain>(State.StepKey);
        NotifyAfterWrite(() => step.OnTargetFinished(report));
        return Task.CompletedTask;
    }

    private TargetReport CurrentReport() => new(GrainKeys.SplitTarget(GrainKey).Name, State.StepAttempt, State.Status, State.ReportedExitCode, State.ReportedFailStep,
        State.Outputs.Count > 0 ? new Dictionary<string, string>(State.Outputs) : null, State.Position, CurrentGroup(), State.OutputExcerpt);

    /// <summary>The output group of the final report (its output, exit code and status); a run that never finished has the empty output's.</summary>
    private string CurrentGroup() => OutputGroupKey.Of(State.OutputDigest ?? OutputDigest.Empty, State.ReportedExitCode, State.Status);

    /// <summary>
    /// The finished run's output digest and excerpt, read from its log (complete: the agent sends Finished only once
    /// every chunk is acknowledged). At most <see cref="OutputDigest.MaxChars"/> characters are read, in pages of
    /// 200 chunks; a run without chunks (a simulated host) reads nothing. If the log cannot be read the run groups
    /// as without output, and the target still finishes.
    /// </summary>
    private async Task DigestOutputAsync(long chunks)
    {
        State.OutputDigest = OutputDigest.Empty;
        State.OutputExcerpt = null;
        if (chunks <= 0)
        {
            return;
        }
        using var digest = new OutputDigest();
        var stream = GrainKeys.LogStream(GrainKey, State.Run);
        try
        {
            long from = 0;
            while (from < chunks && !digest.Full)
            {
                var page = await Logs.ReadAsync(stream, from, 200, ActivationStopping);
                foreach (var chunk in page.Chunks)
                {
                    digest.Append(chunk.Channel, chunk.Text);
                }
                if (page.Chunks.Count == 0 || page.NextSeq <= from)
                {
                    break;
                }
                from = page.NextSeq;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.OutputUnread(Logger, GrainKey, State.Run, ex);
            return;
        }
        (State.OutputDigest, State.OutputExcerpt) = digest.Finish();
    }

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
            State.Timeout is { } t ? SafeTime.Milliseconds(t) : null, State.SessionId, State.RunTraceParent, Orchestrator.Plans.Model.Namespaces.Of(State.Namespace));
        WriteIndex(new IndexRow(IndexKinds.Assignment, State.Host, record.Id, (int)state, DomainJson.Serialize(record)));
    }

    private void WriteTargetRow(int stepAttempt)
    {
        var last = State.Attempts.Count > 0 ? State.Attempts[^1] : null;
        var (stepKey, name) = GrainKeys.SplitTarget(GrainKey);
        // Hosts only: a file source (no position) is no host of the step's groups.
        var group = State.Position >= 0 && State.Status.IsFinal() && State.ReportedAttempt == stepAttempt && State.StepAttempt == stepAttempt ? CurrentGroup() : null;
        var data = DomainJson.Serialize(new TargetIndexData(State.Status, State.Run, stepAttempt, last?.ExitCode, last?.StartedAt, last?.FinishedAt, State.Percent, last?.Error,
            State.Position >= 0 ? State.Position : null, group));
        WriteIndex(new IndexRow(IndexKinds.Target, stepKey, name, (int)State.Status, data));
        // The group's row, for paging a group's hosts: moved when the group changes, gone while the target runs again.
        var groupRow = group is null ? null : IndexKinds.TargetGroupPartition(stepKey, group);
        if (State.GroupRow is { } old && old != groupRow)
        {
            DeleteIndex(IndexKinds.TargetGroup, old, name);
        }
        if (groupRow is not null)
        {
            WriteIndex(new IndexRow(IndexKinds.TargetGroup, groupRow, name, (int)State.Status, data));
        }
        State.GroupRow = groupRow;
    }
}
