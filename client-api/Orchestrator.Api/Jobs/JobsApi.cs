using Microsoft.Extensions.Logging;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parameters;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// /api/v1/jobs and /api/v1/stats: Harbor's job service API on top of plans, task instances and schedules. A Generic
/// or Scheduled job is a task instance (id = instance id), a Periodic job a schedule whose runs are its executions.
/// See <c>docs/jobs-api.md</c>.
/// </summary>
public static partial class JobsApi
{
    /// <summary>Label on a job's runs holding its status hook URL (shown as hook_status).</summary>
    internal const string HookLabel = "job.hook";

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1").WithTags("Jobs (Harbor job service)").AddEndpointFilter(HarborErrors.Guard);
        // Handlers answer Harbor's bodies as JSON nodes; Produces says what they hold (JobReplies.cs).
        group.MapPost("/jobs", Submit).WithMetadata(JobDescriptions.Submit).Produces<HarborJobReply>(StatusCodes.Status202Accepted);
        group.MapGet("/jobs/{id}", GetJob).Produces<HarborJobReply>();
        group.MapPost("/jobs/{id}", Act).WithMetadata(JobDescriptions.Act).Produces(StatusCodes.Status204NoContent);
        group.MapGet("/jobs/{id}/log", GetLog).Produces<string>(StatusCodes.Status200OK, "text/plain");
        group.MapGet("/stats", GetStats).Produces<IReadOnlyList<HarborWorkerPool>>();
        return routes;
    }

    private static async Task<IResult> Submit(HttpContext http, ApiContext api, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // Harbor's job service decodes the body whatever its Content-Type says (its own docs' curl calls send none).
        using var body = await JsonBody.ReadAsync(http, required: true, cancellationToken, anyContentType: true);
        if (body.Error is { } bodyError)
        {
            return HarborErrors.From(bodyError);
        }
        var (submission, invalid) = JobSubmission.Parse(body.Root!.Value);
        if (invalid is not null)
        {
            return invalid;
        }
        var job = submission!;
        var client = api.Client;
        var by = Caller.Of(http);

        // What runs: an ad-hoc plan for a built-in kind, or a stored plan (latest version) with checked parameters.
        PlanDefinition? inline = null;
        IReadOnlyDictionary<string, string> values;
        if (BuiltinJobs.Names.Contains(job.Name))
        {
            (inline, var builtValues, var error) = BuiltinJobs.Build(job.Name, job.Parameters);
            if (error is not null)
            {
                return error;
            }
            values = builtValues!;
        }
        else
        {
            var plan = await client.GetGrain<IPlanGrain>(job.Name).GetAsync(null);
            // The jobs API runs in namespace default: a plan of another namespace is not one of its stored plans.
            if (plan is null || plan.Namespace != Orchestrator.Plans.Model.Namespaces.Default)
            {
                return HarborErrors.Field("job.name", $"'{job.Name}' is neither a built-in kind ({string.Join(", ", BuiltinJobs.Names)}) nor a stored plan.");
            }
            var (resolved, errors) = PlanParameters.Resolve(plan.Definition, job.Parameters);
            if (errors.Count > 0)
            {
                return HarborErrors.Field("job." + errors[0].Path, string.Join(" ", errors.Select(e => e.Message)));
            }
            values = resolved;
        }

        var id = job.Kind == JobKinds.Periodic ? JobIds.NewPeriodic(job.Name) : JobIds.NewInstanceJob();
        IJobLockGrain? jobLock = null;
        if (job.Unique)
        {
            jobLock = client.GetGrain<IJobLockGrain>(job.UniqueKey());
            var claimId = CommandWaiter.NewRequestId();
            JobIds.TryParsePeriodic(id, out _, out var scheduleKey);
            var claim = await api.Waiter.SendAsync(jobLock.Claim(new JobLockClaim(claimId, id, scheduleKey, by)), () => jobLock.GetRequestResultAsync(claimId), cancellationToken);
            if (claim is not { Ok: true })
            {
                if (claim is null)
                {
                    await jobLock.Release(new JobLockRelease(CommandWaiter.NewRequestId(), id, by));
                }
                return claim is { Code: 409 }
                    ? HarborErrors.Conflict("duplicate unique job", $"A unique job '{job.Name}' with the same parameters is still going: job {claim.Value}.")
                    : HarborErrors.FromResult(claim, "unique-job lock")!;
            }
        }

        var failure = job.Kind == JobKinds.Periodic
            ? await SavePeriodic(client, api.Waiter, id, job, inline, values, by, cancellationToken)
            : await StartInstance(client, api.Waiter, id, job, inline, values, by, cancellationToken);
        var logger = loggers.CreateLogger(typeof(JobsApi).FullName!);
        if (failure is not null)
        {
            if (jobLock is not null)
            {
                await jobLock.Release(new JobLockRelease(CommandWaiter.NewRequestId(), id, by));
            }
            Log.SubmitRefused(logger, job.Name, job.Kind);
            return failure;
        }
        Log.Submitted(logger, id, job.Name, job.Kind, job.Unique);
        var now = client.Clock.GetUtcNow().ToUnixTimeSeconds();
        var stats = new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = id,
            ["status"] = job.Kind == JobKinds.Generic ? "Pending" : "Scheduled",
            ["name"] = job.Name,
            ["kind"] = job.Kind,
            ["unique"] = job.Unique,
            ["ref_link"] = RefLink(id),
            ["enqueue_time"] = now,
            ["update_time"] = now,
            ["run_at"] = now + (long)(job.Delay ?? TimeSpan.Zero).TotalSeconds,
            ["multiple_executions"] = job.Kind == JobKinds.Periodic,
        };
        if (job.Cron is not null)
        {
            stats["cron_spec"] = job.Cron;
        }
        if (job.Hook is not null)
        {
            stats["hook_status"] = HookUrls.Redact(job.Hook.OriginalString);
        }
        return TypedResults.Json(new System.Text.Json.Nodes.JsonObject { ["job"] = stats }, statusCode: StatusCodes.Status202Accepted);
    }

    private static Dictionary<string, string> Labels(JobSubmission job, string kind)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [JobLabels.Name] = job.Name,
            [JobLabels.Kind] = kind,
            [JobLabels.Unique] = job.Unique ? "true" : "false",
        };
        if (job.Hook is not null)
        {
            // Shown as hook_status and with the run's labels: never with the URL's credentials.
            labels[HookLabel] = HookUrls.Redact(job.Hook.OriginalString);
        }
        return labels;
    }

    private static StatusHook? Hook(JobSubmission job) => job.Hook is null ? null : new StatusHook(job.Hook.OriginalString, null);

    /// <summary>Starts the task instance that is the job; null when it started, else the error to answer.</summary>
    private static async Task<IResult?> StartInstance(GrainClient client, CommandWaiter waiter, string id, JobSubmission job, PlanDefinition? inline,
        IReadOnlyDictionary<string, string> values, string by, CancellationToken cancellationToken)
    {
        var now = client.Clock.GetUtcNow();
        var options = new RunOptions
        {
            NotBefore = job.Delay is { } delay ? now + delay : null,
            Hook = Hook(job),
            HookFormat = HookFormat.Harbor,
            Labels = Labels(job, job.Kind),
        };
        var requestId = CommandWaiter.NewRequestId();
        var instance = client.GetGrain<ITaskInstanceGrain>(id);
        if (inline is not null)
        {
            // Not answered in time (null): it may still start; the job is accepted, as Harbor retries nothing here.
            return await waiter.SendAsync(instance.Start(new StartInstance(requestId, job.Name, 0, inline, values, by, now, options)),
                () => instance.GetRequestResultAsync(requestId), cancellationToken) is { Ok: false } started
                ? HarborErrors.FromResult(started, "start")
                : null;
        }
        var plan = client.GetGrain<IPlanGrain>(job.Name);
        if (await waiter.SendAsync(plan.Run(new RunPlan(requestId, id, 0, values, by, options)), () => plan.GetRequestResultAsync(requestId), cancellationToken)
            is { Ok: false } result)
        {
            return HarborErrors.FromResult(result, "start");
        }
        // The plan persisted the start and delivers it to the instance from its outbox; waiting for the instance only
        // spares the caller a 404 on an immediate GET.
        await waiter.WaitAsync(() => instance.GetRequestResultAsync(requestId), cancellationToken);
        return null;
    }

    /// <summary>Saves the schedule that is the periodic job; its runs carry the job's id as their upstream.</summary>
    private static async Task<IResult?> SavePeriodic(GrainClient client, CommandWaiter waiter, string id, JobSubmission job, PlanDefinition? inline,
        IReadOnlyDictionary<string, string> values, string by, CancellationToken cancellationToken)
    {
        JobIds.TryParsePeriodic(id, out var planId, out var key);
        var labels = Labels(job, JobKinds.Periodic);
        labels[JobLabels.Upstream] = id;
        var spec = new ScheduleSpec
        {
            Cron = job.Cron!,
            TimeZone = "UTC",
            Description = $"Periodic job {id} (jobs API)",
            // Harbor enqueues every period whatever the previous execution is doing.
            Overlap = OverlapPolicy.Allow,
            SuccessfulHistoryLimit = PeriodicHistory,
            FailedHistoryLimit = PeriodicHistory,
            Parameters = values,
            Hook = Hook(job),
            HookFormat = HookFormat.Harbor,
            InlinePlan = inline,
            Labels = labels,
        };
        var requestId = CommandWaiter.NewRequestId();
        var schedule = client.GetGrain<IScheduleGrain>(key!);
        // Not answered in time (null): the save may still apply, so the job is accepted.
        return await waiter.SendAsync(schedule.Save(new SaveSchedule(requestId, planId!, key![(planId!.Length + 1)..], spec, null, by)),
            () => schedule.GetRequestResultAsync(requestId), cancellationToken) is { Ok: false } result
            ? HarborErrors.FromResult(result, "periodic job")
            : null;
    }

    /// <summary>Finished executions a periodic job keeps of each outcome (older ones are deleted with their logs).</summary>
    internal const int PeriodicHistory = 10;

    internal static string RefLink(string id) => "/api/v1/jobs/" + id;

    private static partial class Log
    {
        [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Job {JobId} submitted: {Name}, {Kind}, unique {Unique}")]
        public static partial void Submitted(ILogger logger, string jobId, string name, string kind, bool unique);

        [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Job {Name} ({Kind}) was refused when starting")]
        public static partial void SubmitRefused(ILogger logger, string name, string kind);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Job {JobId}: {Action} by {By}")]
        public static partial void Acted(ILogger logger, string jobId, string action, string by);
    }
}
