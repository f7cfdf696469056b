namespace Orchestrator.Client;

public sealed partial class OrchestratorClient
{
    /// <summary>
    /// A page of task instances, newest first as the server orders them; <paramref name="status"/> filters, and
    /// <paramref name="namespace"/> (default: every namespace the caller may read).
    /// </summary>
    public Task<Page<InstanceListItem>> ListInstancesAsync(ExecutionStatus? status = null, PageRequest? page = null, string? @namespace = null, CancellationToken cancellationToken = default) =>
        QueryInstancesAsync(new InstanceFilter(status, Namespace: @namespace), page, cancellationToken);

    /// <summary>A page of task instances, newest first, filtered by <paramref name="filter"/> (every filter optional).</summary>
    public Task<Page<InstanceListItem>> QueryInstancesAsync(InstanceFilter? filter = null, PageRequest? page = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<InstanceListItem>>("task-instances" + Query(("status", filter?.Status?.ToApiName()), ("plan", filter?.PlanId), ("namespace", filter?.Namespace), ("by", filter?.By),
            ("from", Time(filter?.From)), ("to", Time(filter?.To)), ("after", page?.After), ("limit", Text(page?.Limit))), cancellationToken);

    /// <summary>A task instance with its steps' target counts by status (404: no such instance, or deleted).</summary>
    public Task<TaskInstance> GetInstanceAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<TaskInstance>($"task-instances/{Segment(id)}", cancellationToken);

    /// <summary>Cancels a run: targets not started never start, running scripts are killed; the run always ends.</summary>
    public Task<ControlResult> CancelInstanceAsync(string id, string? reason = null, CancellationToken cancellationToken = default) =>
        CommandAsync<ControlResult>(HttpMethod.Post, $"task-instances/{Segment(id)}/cancel", Json(Reason(reason)), cancellationToken);

    /// <summary>Deletes a finished instance with its targets and logs (409 while it runs; done also when already deleted).</summary>
    public Task DeleteInstanceAsync(string id, string? reason = null, CancellationToken cancellationToken = default) =>
        CommandAsync(HttpMethod.Delete, $"task-instances/{Segment(id)}" + Query(("reason", reason)), null, cancellationToken);

    /// <summary>Skips a step: ahead of time, a running or paused one (its running targets are killed), or a failed one of a failed run.</summary>
    public Task<ControlResult> SkipStepAsync(string id, int step, string? reason = null, CancellationToken cancellationToken = default) =>
        StepActionAsync(id, step, "skip", Reason(reason), cancellationToken);

    /// <summary>Continues a paused rollout with its next batch.</summary>
    public Task<ControlResult> ContinueStepAsync(string id, int step, string? reason = null, CancellationToken cancellationToken = default) =>
        StepActionAsync(id, step, "continue", Reason(reason), cancellationToken);

    /// <summary>Approves an approval step (403 if the caller is not among its approvers).</summary>
    public Task<ControlResult> ApproveStepAsync(string id, int step, string? reason = null, CancellationToken cancellationToken = default) =>
        StepActionAsync(id, step, "approve", Reason(reason), cancellationToken);

    /// <summary>Rejects an approval step (403 if the caller is not among its approvers).</summary>
    public Task<ControlResult> RejectStepAsync(string id, int step, string? reason = null, CancellationToken cancellationToken = default) =>
        StepActionAsync(id, step, "reject", Reason(reason), cancellationToken);

    /// <summary>
    /// Runs a finished step again over <paramref name="set"/> (default its failed targets), with the original parameters
    /// and resolved targets; the run then goes on with the next steps.
    /// </summary>
    public Task<ControlResult> RetryStepAsync(string id, int step, RetrySet set = RetrySet.Failed, CancellationToken cancellationToken = default) =>
        StepActionAsync(id, step, "retry", new Dictionary<string, string>
        {
            ["set"] = set switch
            {
                RetrySet.NotStarted => "not-started",
                RetrySet.All => "all",
                _ => "failed",
            },
        }, cancellationToken);

    private Task<ControlResult> StepActionAsync(string id, int step, string action, Dictionary<string, string> body, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return CommandAsync<ControlResult>(HttpMethod.Post, $"task-instances/{Segment(id)}/steps/{Text(step)}/{action}", Json(body), cancellationToken);
    }

    private static Dictionary<string, string> Reason(string? reason) => reason is null ? [] : new() { ["reason"] = reason };

    /// <summary>A page of a step's host targets, filtered by status when given.</summary>
    public Task<Page<TargetListItem>> ListTargetsAsync(string id, int step, IEnumerable<TargetStatus>? statuses = null, PageRequest? page = null, CancellationToken cancellationToken = default)
    {
        var status = statuses is null ? null : string.Join(',', statuses.Select(s => s.ToApiName()));
        return GetAsync<Page<TargetListItem>>($"task-instances/{Segment(id)}/steps/{Text(step)}/targets"
            + Query(("status", string.IsNullOrEmpty(status) ? null : status), ("after", page?.After), ("limit", Text(page?.Limit))), cancellationToken);
    }

    /// <summary>One host target with its runs.</summary>
    public Task<HostTarget> GetTargetAsync(string id, int step, string host, CancellationToken cancellationToken = default) =>
        GetAsync<HostTarget>(TargetPath(id, step, host), cancellationToken);

    /// <summary>A part of a run's log (default the latest run's first 1,000 chunks).</summary>
    public Task<LogPage> ReadLogAsync(string id, int step, string host, LogRequest? request = null, CancellationToken cancellationToken = default) =>
        GetAsync<LogPage>(TargetPath(id, step, host) + "/log" + LogQuery(request, null), cancellationToken);

    /// <summary>A part of a run's log as plain text (the chunks' text joined).</summary>
    public Task<string> ReadLogTextAsync(string id, int step, string host, LogRequest? request = null, CancellationToken cancellationToken = default) =>
        GetTextAsync(TargetPath(id, step, host) + "/log" + LogQuery(request, "text"), cancellationToken);

    private static string TargetPath(string id, int step, string host) => $"task-instances/{Segment(id)}/steps/{Text(step)}/targets/{Segment(host)}";

    private static string LogQuery(LogRequest? r, string? format) =>
        Query(("run", Text(r?.Run)), ("from", Text(r?.From)), ("limit", Text(r?.Limit)), ("tail", Text(r?.Tail)), ("format", format));

    /// <summary>Where a task instance's status hook stands (404 before its first event).</summary>
    public Task<HookStatus> GetHookAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<HookStatus>($"task-instances/{Segment(id)}/hook", cancellationToken);

    /// <summary>Queues a parked hook event again (<paramref name="revision"/>), or every parked one.</summary>
    public Task<HookReplayed> ReplayHookAsync(string id, long? revision = null, CancellationToken cancellationToken = default) =>
        CommandAsync<HookReplayed>(HttpMethod.Post, $"task-instances/{Segment(id)}/hook/replay",
            Json(revision is { } r ? new Dictionary<string, long> { ["revision"] = r } : []), cancellationToken);

    /// <summary>A page of parked hook events of every subject.</summary>
    public Task<Page<ParkedHookEvent>> ListParkedHooksAsync(PageRequest? page = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<ParkedHookEvent>>("hooks/parked" + Query(("after", page?.After), ("limit", Text(page?.Limit))), cancellationToken);

    /// <summary>A page of parked messages, oldest first.</summary>
    public Task<Page<DeadLetter>> ListDeadLettersAsync(PageRequest? page = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<DeadLetter>>("dead-letters" + Query(("after", page?.After), ("limit", Text(page?.Limit))), cancellationToken);

    /// <summary>Delivers a parked message again under its original dedupe key (409 if its grain throws again).</summary>
    public Task<DeadLetterReplayed> ReplayDeadLetterAsync(long messageId, CancellationToken cancellationToken = default) =>
        CommandAsync<DeadLetterReplayed>(HttpMethod.Post, $"dead-letters/{Text(messageId)}/replay", null, cancellationToken);
}
