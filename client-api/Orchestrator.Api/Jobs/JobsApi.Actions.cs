using System.Text;
using Microsoft.Extensions.Logging;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Jobs;

public static partial class JobsApi
{
    /// <summary>The log endpoint answers at most this much text; a longer log ends with a note saying so.</summary>
    private const int MaxLogChars = 8 * 1024 * 1024;

    /// <summary>
    /// stop / cancel / retry, 204 when applied. A task-instance job: stop ends it Stopped, cancel Cancelled (also while
    /// scheduled or pending), retry runs its failed step again over the failed targets (only a job in status error). A
    /// periodic job: stop deletes its schedule (no more executions; running ones go on); cancel and retry are 501.
    /// </summary>
    private static async Task<IResult> Act(string id, HttpContext http, ApiContext api, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(id))
        {
            return HarborErrors.Field("id", $"{Quote.Of(id)} is not a job id: 1 to {JobIds.MaxLength} ASCII letters, digits, '-', '_' or '.', not only dots.");
        }
        using var body = await JsonBody.ReadAsync(http, required: true, cancellationToken, anyContentType: true);
        if (body.Error is { } bodyError)
        {
            return HarborErrors.From(bodyError);
        }
        var fields = JsonFields.Of(body.Root);
        var action = fields.String("action", 32)?.Trim().ToLowerInvariant();
        fields.RefuseUnknown();
        if (fields.Errors.Count > 0)
        {
            return HarborErrors.Fields(fields.Errors);
        }
        if (action is not ("stop" or "cancel" or "retry"))
        {
            return HarborErrors.Field("action", $"{(action is null ? "missing" : $"{Quote.Of(action)} is not an action")}: the body must be {{\"action\": \"stop\"}}, \"cancel\" or \"retry\".");
        }
        var client = api.Client;
        var by = Caller.Of(http);
        var requestId = CommandWaiter.NewRequestId();
        IResult? failure;
        if (JobIds.TryParsePeriodic(id, out _, out var key))
        {
            var schedule = client.GetGrain<IScheduleGrain>(key);
            if (await schedule.GetAsync() is not { } view)
            {
                return HarborErrors.NotFound($"No job '{id}'.");
            }
            if (action != "stop")
            {
                return HarborErrors.NotImplemented($"A periodic job can only be stopped; {action} its executions instead (their ids are in the job's executions).");
            }
            if (view.Deleted)
            {
                return HarborErrors.Conflict("job already stopped", $"Periodic job '{id}' is stopped already.");
            }
            failure = HarborErrors.FromResult(await api.Waiter.SendAsync(schedule.Delete(new ScheduleCommand(requestId, by)), () => schedule.GetRequestResultAsync(requestId), cancellationToken), "stop");
        }
        else
        {
            var instance = client.GetGrain<ITaskInstanceGrain>(id);
            Task command;
            if (await instance.GetAsync() is not { } view)
            {
                return HarborErrors.NotFound($"No job '{id}'.");
            }
            if (action == "retry")
            {
                if (view.Status != ExecutionStatus.Failed)
                {
                    return HarborErrors.Conflict("job cannot be retried", $"Job '{id}' is {JobLabels.Status(view.Status)}; only a failed job (status Error) can be retried.");
                }
                var failed = view.Steps.LastOrDefault(s => s.Status == ExecutionStatus.Failed && s.Index <= view.CurrentStep) ?? view.Steps[view.CurrentStep];
                command = instance.RetryStep(new RetryStep(requestId, failed.Index, AttemptSet.Failed, by));
            }
            else
            {
                command = instance.Cancel(new InstanceControl(requestId, by, $"{action} via the jobs API", Stop: action == "stop"));
            }
            failure = HarborErrors.FromResult(await api.Waiter.SendAsync(command, () => instance.GetRequestResultAsync(requestId), cancellationToken), action);
        }
        if (failure is not null)
        {
            return failure;
        }
        Log.Acted(loggers.CreateLogger(typeof(JobsApi).FullName!), id, action, by);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The job's log as text: every target of every step in step order, every run of a target in order; lines of a
    /// step on several hosts start with <c>[host] </c>.
    /// </summary>
    private static async Task<IResult> GetLog(string id, ApiContext api, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(id))
        {
            return HarborErrors.Field("id", $"{Quote.Of(id)} is not a job id: 1 to {JobIds.MaxLength} ASCII letters, digits, '-', '_' or '.', not only dots.");
        }
        if (JobIds.TryParsePeriodic(id, out _, out _))
        {
            return HarborErrors.Error(StatusCodes.Status400BadRequest, "periodic job has no log",
                $"Periodic job '{id}' runs nothing itself; read the logs of its executions (see executions in GET /api/v1/jobs/{id}).");
        }
        var client = api.Client;
        var view = await client.GetGrain<ITaskInstanceGrain>(id).GetAsync();
        if (view is null)
        {
            return HarborErrors.NotFound($"No job '{id}'.");
        }
        var log = new StringBuilder();
        foreach (var step in view.Steps.Where(s => s.Attempt > 0 || s.Status != ExecutionStatus.Pending))
        {
            var stepKey = GrainKeys.Step(id, step.Index);
            var targets = await client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Target, [stepKey]) { Limit = 10_000 }, cancellationToken);
            foreach (var row in targets)
            {
                var targetKey = GrainKeys.Target(stepKey, row.Key);
                var kind = KindOf(row);
                var target = await TargetGrains.Get(client.Grains, kind, targetKey).GetAsync();
                if (kind == TargetKind.Container)
                {
                    // A cluster's Job: each pod of its latest run has a log stream of its own.
                    foreach (var pod in target?.Container?.Pods ?? [])
                    {
                        if (log.Length < MaxLogChars)
                        {
                            Append(log, await ReadStream(client, GrainKeys.PodLogStream(targetKey, target!.Run, pod.Pod), cancellationToken), $"[{row.Key}/{pod.Pod}] ");
                        }
                    }
                    continue;
                }
                for (var run = 1; run <= (target?.Run ?? 0) && log.Length < MaxLogChars; run++)
                {
                    var text = await ReadStream(client, GrainKeys.LogStream(targetKey, run), cancellationToken);
                    if (run > 1)
                    {
                        text = $"--- {row.Key}: run {run} ---\n" + text;
                    }
                    Append(log, text, targets.Count > 1 ? $"[{row.Key}] " : null);
                }
            }
        }
        if (log.Length >= MaxLogChars)
        {
            log.Length = MaxLogChars;
            log.Append($"\n--- log cut at {MaxLogChars} characters; read the rest per target from /api/v1/task-instances/{id} ---\n");
        }
        return TypedResults.Text(log.ToString(), "text/plain", Encoding.UTF8);
    }

    /// <summary>What runs a target (a host's agent, or a cluster's Job for a container step), from its index row.</summary>
    internal static TargetKind KindOf(IndexRow row) =>
        row.Data is { } data ? IndexJson.Parse<TargetIndexData>(data).Kind ?? TargetKind.Host : TargetKind.Host;

    private static async Task<string> ReadStream(GrainClient client, string stream, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        long from = 0;
        while (text.Length < MaxLogChars)
        {
            var page = await client.Logs.ReadAsync(stream, from, 1000, cancellationToken);
            foreach (var chunk in page.Chunks)
            {
                text.Append(chunk.Text);
            }
            if (page.Chunks.Count == 0 || page.NextSeq <= from)
            {
                break;
            }
            from = page.NextSeq;
        }
        return text.ToString();
    }

    private static void Append(StringBuilder log, string text, string? prefix)
    {
        if (text.Length == 0)
        {
            return;
        }
        if (prefix is null)
        {
            log.Append(text);
        }
        else
        {
            foreach (var line in text.TrimEnd('\n').Split('\n'))
            {
                log.Append(prefix).Append(line).Append('\n');
            }
        }
        if (log.Length > 0 && log[^1] != '\n')
        {
            log.Append('\n');
        }
    }
}
