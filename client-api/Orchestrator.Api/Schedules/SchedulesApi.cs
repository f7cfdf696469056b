using System.Text.Json;
using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Parameters;
using Orchestrator.Runtime.Indexes;
using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Api.Schedules;

/// <summary>
/// Schedules on plans: /api/v1/plans/{planId}/schedules/{name} (create or replace, read with its runs and skipped
/// fires, delete, suspend, resume, run now, preview the next fire times), /api/v1/schedules (all of them) and
/// /api/v1/schedules/preview (try an expression without saving). See docs/scheduling.md.
/// </summary>
public static class SchedulesApi
{
    private const int MaxPreview = 1000;

    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder routes)
    {
        var plan = routes.MapGroup("/api/v1/plans/{planId}/schedules").WithTags("Schedules").AddEndpointFilter(ApiContext.RequireClient);
        plan.MapPut("/{name}", Put);
        plan.MapGet("/{name}", Get);
        plan.MapDelete("/{name}", Delete);
        plan.MapGet("/", ListOfPlan);
        plan.MapPost("/{name}/suspend", (string planId, string name, HttpContext http, ApiContext api, CancellationToken ct) => Suspend(planId, name, true, http, api, ct));
        plan.MapPost("/{name}/resume", (string planId, string name, HttpContext http, ApiContext api, CancellationToken ct) => Suspend(planId, name, false, http, api, ct));
        plan.MapPost("/{name}/run", RunNow);
        plan.MapGet("/{name}/preview", PreviewOf);
        var all = routes.MapGroup("/api/v1/schedules").WithTags("Schedules");
        all.MapGet("/", List).AddEndpointFilter(ApiContext.RequireClient);
        all.MapPost("/preview", TryPreview);
        return routes;
    }

    private static async Task<IResult> Put(string planId, string name, JsonElement body, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((Ids.Check("planId", planId) ?? Ids.Check("name", name)) is { } bad)
        {
            return bad;
        }
        int? expected = null;
        if (http.Request.Headers.IfMatch.FirstOrDefault() is { } ifMatch)
        {
            if (!int.TryParse(ifMatch.Trim('"', 'W', '/'), out var v) || v < 0)
            {
                return Problems.Field("If-Match", $"'{ifMatch}' is not a schedule revision (a non-negative integer).");
            }
            expected = v;
        }
        var (spec, errors) = ScheduleRequest.Read(body);
        if (spec is null)
        {
            return Problems.Validation(errors, "The schedule is invalid.");
        }
        var planView = await api.Client.GetGrain<IPlanGrain>(planId).GetAsync(spec.PlanVersion);
        if (planView is null)
        {
            return spec.PlanVersion is { } version
                ? Problems.Field("planVersion", $"Plan '{planId}' has no version {version}.")
                : Problems.NotFound($"No plan '{planId}'.");
        }
        var (values, parameterErrors) = PlanParameters.Resolve(planView.Definition, spec.Parameters);
        if (parameterErrors.Count > 0)
        {
            return Problems.Validation(parameterErrors.Select(e => new FieldError(e.Path, e.Message)), "The parameters are invalid.");
        }
        var requestId = CommandWaiter.NewRequestId();
        var grain = api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name));
        await grain.Save(new SaveSchedule(requestId, planId, name, spec with { Parameters = values }, expected, Caller.Of(http)));
        var result = await api.Waiter.WaitAsync(() => grain.GetRequestResultAsync(requestId), cancellationToken);
        return Problems.FromResult(result, r =>
        {
            var revision = int.Parse(r.Value!, System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers.ETag = $"\"{revision}\"";
            var location = $"/api/v1/plans/{planId}/schedules/{name}";
            return revision == 1 ? TypedResults.Created(location, new { planId, name, revision }) : TypedResults.Ok(new { planId, name, revision });
        });
    }

    private static async Task<IResult> Get(string planId, string name, int? preview, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var view = await api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name)).GetAsync();
        if (view is null || view.Deleted)
        {
            return Problems.NotFound($"Plan '{planId}' has no schedule '{name}'.");
        }
        http.Response.Headers.ETag = $"\"{view.Revision}\"";
        var count = Math.Clamp(preview ?? 5, 0, MaxPreview);
        // Secret parameters are shown masked, as the plan defines them (all of them if the plan is gone).
        var plan = view.Spec.InlinePlan ?? (await api.Client.GetGrain<IPlanGrain>(planId).GetAsync(view.Spec.PlanVersion))?.Definition;
        var parameters = plan is null
            ? view.Spec.Parameters.ToDictionary(p => p.Key, _ => "***")
            : PlanParameters.Masked(plan, view.Spec.Parameters);
        return TypedResults.Ok(new
        {
            view.Key,
            view.PlanId,
            view.Name,
            view.Revision,
            spec = Spec(view.Spec, parameters),
            view.NextDue,
            view.LastDue,
            fired = view.FiredCount,
            skipped = view.SkippedCount,
            view.Active,
            view.Buffered,
            view.Backlog,
            runs = view.Runs.Reverse(),
            skippedFires = view.Skipped.Reverse(),
            nextFires = view.NextDue is { } next ? ScheduleRequest.Preview(view.Spec.Cron, view.Spec.TimeZone, next.AddTicks(-1), count) : [],
            view.CreatedAt,
            view.UpdatedAt,
        });
    }

    /// <summary>A spec as the API shows it: durations as text, secrets (parameters given masked, the hook's) hidden.</summary>
    private static object Spec(ScheduleSpec spec, IReadOnlyDictionary<string, string> parameters) => new
    {
        spec.Cron,
        spec.TimeZone,
        spec.Description,
        spec.Suspend,
        startingDeadline = spec.StartingDeadline is { } d ? Orchestrator.Plans.Parsing.DurationFormat.Format(d) : null,
        spec.Overlap,
        spec.CatchUp,
        catchUpWindow = Orchestrator.Plans.Parsing.DurationFormat.Format(spec.CatchUpWindow),
        spec.SuccessfulHistoryLimit,
        spec.FailedHistoryLimit,
        spec.PlanVersion,
        parameters,
        statusHook = spec.Hook is { } hook ? new { hook.Url, secret = hook.Secret is null ? null : "***" } : null,
        labels = spec.Labels.Count > 0 ? spec.Labels : null,
    };

    private static async Task<IResult> Delete(string planId, string name, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var requestId = CommandWaiter.NewRequestId();
        var grain = api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name));
        await grain.Delete(new ScheduleCommand(requestId, Caller.Of(http)));
        var result = await api.Waiter.WaitAsync(() => grain.GetRequestResultAsync(requestId), cancellationToken);
        return Problems.FromResult(result, _ => TypedResults.NoContent());
    }

    private static async Task<IResult> Suspend(string planId, string name, bool suspend, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var requestId = CommandWaiter.NewRequestId();
        var grain = api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name));
        await grain.SetSuspended(new SuspendSchedule(requestId, suspend, Caller.Of(http)));
        var result = await api.Waiter.WaitAsync(() => grain.GetRequestResultAsync(requestId), cancellationToken);
        return Problems.FromResult(result, r => TypedResults.Ok(new { planId, name, suspend, revision = int.Parse(r.Value!, System.Globalization.CultureInfo.InvariantCulture) }));
    }

    private static async Task<IResult> RunNow(string planId, string name, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var requestId = CommandWaiter.NewRequestId();
        var instanceId = Guid.NewGuid().ToString("N");
        var grain = api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name));
        await grain.RunNow(new RunScheduleNow(requestId, instanceId, Caller.Of(http)));
        var result = await api.Waiter.WaitAsync(() => grain.GetRequestResultAsync(requestId), cancellationToken);
        var accepted = new { id = instanceId, planId, schedule = name };
        return result is null
            ? TypedResults.Accepted($"/api/v1/task-instances/{instanceId}", accepted)
            : Problems.FromResult(result, _ => TypedResults.Accepted($"/api/v1/task-instances/{instanceId}", accepted));
    }

    private static async Task<IResult> PreviewOf(string planId, string name, int? count, DateTimeOffset? from, ApiContext api, CancellationToken cancellationToken)
    {
        var view = await api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name)).GetAsync();
        if (view is null || view.Deleted)
        {
            return Problems.NotFound($"Plan '{planId}' has no schedule '{name}'.");
        }
        if (count is < 1 or > MaxPreview)
        {
            return Problems.Field("count", $"Must be from 1 to {MaxPreview}.");
        }
        var start = from ?? api.Clock.GetUtcNow();
        return TypedResults.Ok(new { view.Spec.Cron, view.Spec.TimeZone, view.Spec.Suspend, fires = ScheduleRequest.Preview(view.Spec.Cron, view.Spec.TimeZone, start, count ?? 10) });
    }

    /// <summary>Body of POST /api/v1/schedules/preview.</summary>
    public sealed record PreviewRequest(string? Cron, string? TimeZone, int? Count, DateTimeOffset? From);

    private static IResult TryPreview(PreviewRequest request, ApiContext api)
    {
        if (string.IsNullOrWhiteSpace(request.Cron))
        {
            return Problems.Field("cron", "Required: a cron expression (5 or 6 fields, or @hourly, @daily, ...).");
        }
        if (request.Count is < 1 or > MaxPreview)
        {
            return Problems.Field("count", $"Must be from 1 to {MaxPreview}.");
        }
        try
        {
            CronSchedule.Parse(request.Cron, "UTC");
        }
        catch (ScheduleFormatException ex)
        {
            return Problems.Field("cron", ex.Message);
        }
        var zone = request.TimeZone ?? "UTC";
        try
        {
            CronSchedule.Parse(request.Cron, zone);
        }
        catch (ScheduleFormatException ex)
        {
            return Problems.Field("timeZone", ex.Message);
        }
        return TypedResults.Ok(new { request.Cron, timeZone = zone, fires = ScheduleRequest.Preview(request.Cron, zone, request.From ?? api.Clock.GetUtcNow(), request.Count ?? 10) });
    }

    private static Task<IResult> ListOfPlan(string planId, string? after, int? limit, ApiContext api, CancellationToken cancellationToken) =>
        Page(planId + "/", after is null ? planId + "/" : GrainKeys.Schedule(planId, after), limit, api, cancellationToken);

    private static Task<IResult> List(string? after, int? limit, ApiContext api, CancellationToken cancellationToken) =>
        Page("", after, limit, api, cancellationToken);

    private static async Task<IResult> Page(string prefix, string? after, int? limit, ApiContext api, CancellationToken cancellationToken)
    {
        var size = api.PageSize(limit);
        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Schedule, [""]) { AfterKey = after, Limit = size }, cancellationToken);
        var items = rows.TakeWhile(r => r.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(r => new { key = r.Key, schedule = r.Data is null ? null : IndexJson.Parse<ScheduleIndexData>(r.Data) })
            .ToList();
        var next = items.Count == size ? (prefix.Length > 0 ? items[^1].key[prefix.Length..] : items[^1].key) : null;
        return TypedResults.Ok(new { items, next });
    }
}
