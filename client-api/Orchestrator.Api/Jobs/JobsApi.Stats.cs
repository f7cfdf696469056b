using System.Text.Json.Nodes;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Parameters;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Jobs;

public static partial class JobsApi
{
    /// <summary>Targets of the current step read for the latest check-in; a wider step shows the latest of these.</summary>
    private const int CheckInTargets = 20;

    /// <summary>Plan ids listed in a worker pool's job_names (after the built-in kinds).</summary>
    private const int StatsPlanNames = 100;

    private static async Task<IResult> GetJob(string id, ApiContext api, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(id))
        {
            return HarborErrors.Field("id", $"{Quote.Of(id)} is not a job id: 1 to {JobIds.MaxLength} ASCII letters, digits, '-', '_' or '.', not only dots.");
        }
        var stats = JobIds.TryParsePeriodic(id, out _, out var key)
            ? await PeriodicStats(api.Client, id, key)
            : await InstanceStats(api.Client, id, cancellationToken);
        return stats is null ? HarborErrors.NotFound($"No job '{id}'.") : TypedResults.Json(new JsonObject { ["job"] = stats });
    }

    /// <summary>Harbor's stats of a job that is a task instance (a Generic or Scheduled job, or a periodic job's execution).</summary>
    private static async Task<JsonObject?> InstanceStats(GrainClient client, string id, CancellationToken cancellationToken)
    {
        var view = await client.GetGrain<ITaskInstanceGrain>(id).GetAsync();
        if (view is null)
        {
            return null;
        }
        var labels = view.Labels;
        var updated = new[] { view.CreatedAt, view.StartedAt ?? default, view.FinishedAt ?? default }.Concat(view.Actions.Select(a => a.At)).Max();
        var stats = new JsonObject
        {
            ["id"] = id,
            ["status"] = JobLabels.Status(view.Status),
            ["name"] = labels.GetValueOrDefault(JobLabels.Name, view.PlanId),
            ["kind"] = labels.GetValueOrDefault(JobLabels.Kind, view.NotBefore is null ? JobKinds.Generic : JobKinds.Scheduled),
            ["unique"] = labels.GetValueOrDefault(JobLabels.Unique) == "true",
            ["ref_link"] = RefLink(id),
            ["enqueue_time"] = view.CreatedAt.ToUnixTimeSeconds(),
            ["update_time"] = 0L,
            ["run_at"] = (view.NotBefore ?? view.StartedAt ?? view.CreatedAt).ToUnixTimeSeconds(),
            ["die_at"] = 0L,
            ["parameters"] = new JsonObject(view.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["revision"] = view.Revision,
            ["multiple_executions"] = false,
        };
        if (await LatestCheckIn(client, id, view, cancellationToken) is { } checkIn)
        {
            stats["check_in"] = checkIn.Text;
            stats["check_in_at"] = checkIn.At.ToUnixTimeSeconds();
            if (checkIn.At > updated)
            {
                updated = checkIn.At;
            }
        }
        stats["update_time"] = updated.ToUnixTimeSeconds();
        if (labels.GetValueOrDefault(HookLabel) is { } hook)
        {
            stats["hook_status"] = HookUrls.Redact(hook); // runs stored before labels held it redacted
        }
        if (labels.GetValueOrDefault(JobLabels.Upstream) is { } upstream)
        {
            stats["upstream_job_id"] = upstream;
        }
        return stats;
    }

    /// <summary>
    /// The latest progress check-in (<c>::progress 30% message</c>) among the current step's targets: "30% message",
    /// prefixed with the host when the step runs on several.
    /// </summary>
    private static async Task<(string Text, DateTimeOffset At)?> LatestCheckIn(GrainClient client, string id, TaskInstanceView view, CancellationToken cancellationToken)
    {
        if (view.Steps.Count == 0)
        {
            return null;
        }
        var stepKey = GrainKeys.Step(id, view.CurrentStep);
        var rows = await client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Target, [stepKey]) { Limit = 1000 }, cancellationToken);
        var reporting = rows.Where(r => r.Data is not null && IndexJson.Parse<TargetIndexData>(r.Data).Percent is not null).Take(CheckInTargets).ToList();
        (string, DateTimeOffset)? latest = null;
        foreach (var row in reporting)
        {
            var target = await TargetGrains.Get(client.Grains, KindOf(row), GrainKeys.Target(stepKey, row.Key)).GetAsync();
            if (target is not { Percent: { } percent } || target.ProgressAt is not { } at || latest is { } l && l.Item2 >= at)
            {
                continue;
            }
            var text = target.ProgressMessage is { } message ? $"{percent}% {message}" : $"{percent}%";
            latest = (rows.Count > 1 ? $"{target.Host}: {text}" : text, at);
        }
        return latest;
    }

    /// <summary>Harbor's stats of a periodic job: its schedule, with the runs it started as executions.</summary>
    private static async Task<JsonObject?> PeriodicStats(GrainClient client, string id, string key)
    {
        var view = await client.GetGrain<IScheduleGrain>(key).GetAsync();
        if (view is null)
        {
            return null;
        }
        var spec = view.Spec;
        var executions = new JsonArray([.. view.Runs.Where(r => !r.Deleted).Select(r => (JsonNode?)r.InstanceId)]);
        var stats = new JsonObject
        {
            ["id"] = id,
            // Harbor's periodic job stays "Scheduled" while its policy exists; stopping it ends it as "Stopped".
            ["status"] = view.Deleted ? "Stopped" : "Scheduled",
            ["name"] = spec.Labels.GetValueOrDefault(JobLabels.Name, view.PlanId),
            ["kind"] = JobKinds.Periodic,
            ["unique"] = spec.Labels.GetValueOrDefault(JobLabels.Unique) == "true",
            ["ref_link"] = RefLink(id),
            ["enqueue_time"] = view.CreatedAt.ToUnixTimeSeconds(),
            ["update_time"] = view.UpdatedAt.ToUnixTimeSeconds(),
            ["run_at"] = (view.NextDue ?? view.LastDue ?? view.CreatedAt).ToUnixTimeSeconds(),
            ["cron_spec"] = spec.Cron,
            ["die_at"] = 0L,
            ["parameters"] = new JsonObject((await MaskedParameters(client, view.PlanId, spec)).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["executions"] = executions,
            ["multiple_executions"] = true,
        };
        if (spec.Hook is { } hook)
        {
            stats["hook_status"] = HookUrls.Redact(hook.Url);
        }
        return stats;
    }

    /// <summary>
    /// A periodic job's parameters as a reply shows them: the secrets of its plan (the schedule's own for a built-in
    /// kind, else the stored plan's version it runs) as <c>***</c>; every value when that plan is gone, as which of
    /// them are secrets is no longer known.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, string>> MaskedParameters(GrainClient client, string planId, ScheduleSpec spec)
    {
        var plan = spec.InlinePlan ?? (await client.GetGrain<IPlanGrain>(planId).GetAsync(spec.PlanVersion))?.Definition;
        return plan is null
            ? spec.Parameters.ToDictionary(p => p.Key, _ => PlanParameters.Mask, StringComparer.Ordinal)
            : PlanParameters.Masked(plan, spec.Parameters);
    }

    /// <summary>
    /// Harbor's worker pools: one per live silo. job_names: the built-in kinds and the first stored plans;
    /// concurrency: the agents online (the work runs on agents, which every silo shares).
    /// </summary>
    private static async Task<IResult> GetStats(ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        var silos = await client.GetActiveSilosAsync();
        var plans = await client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Plan, [.. NamespacePartitions.Of(Orchestrator.Plans.Model.Namespaces.Default)]) { Limit = StatsPlanNames }, cancellationToken);
        var hosts = await client.Indexes.CountByStatusAsync(IndexKinds.Host, "", cancellationToken);
        var online = hosts.GetValueOrDefault((int)HostStatus.Online) + hosts.GetValueOrDefault((int)HostStatus.Draining);
        var names = BuiltinJobs.Names.Concat(plans.Select(p => p.Key)).ToList();
        var pools = new JsonArray();
        foreach (var silo in silos)
        {
            pools.Add(new JsonObject
            {
                ["worker_pool_id"] = silo.SiloName,
                ["started_at"] = new DateTimeOffset(DateTime.SpecifyKind(silo.StartTime, DateTimeKind.Utc)).ToUnixTimeSeconds(),
                ["heartbeat_at"] = new DateTimeOffset(DateTime.SpecifyKind(silo.IAmAliveTime, DateTimeKind.Utc)).ToUnixTimeSeconds(),
                ["job_names"] = new JsonArray([.. names.Select(n => (JsonNode?)n)]),
                ["concurrency"] = online,
                ["status"] = "healthy",
            });
        }
        return TypedResults.Json(pools);
    }
}
