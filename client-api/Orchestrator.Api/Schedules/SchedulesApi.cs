using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
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
/// <remarks>
/// Handlers take no bound parameters but route values: bodies are read by the API's common readers
/// (<see cref="JsonBody"/>, <see cref="JsonFields"/>) and query strings by <see cref="QueryValues"/>, so the schedules
/// API refuses what every endpoint refuses, in the same words and within the same limits (<see cref="ApiLimits"/>).
/// </remarks>
public static class SchedulesApi
{
    private const int DefaultNextFires = 5;

    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder routes)
    {
        var plan = routes.MapGroup("/api/v1/plans/{planId}/schedules").WithTags("Schedules");
        plan.MapPut("/{name}", Put).WithMetadata(ScheduleRequests.Schedule);
        plan.MapGet("/{name}", Get);
        plan.MapDelete("/{name}", Delete);
        plan.MapGet("/", ListOfPlan);
        plan.MapPost("/{name}/suspend", (string planId, string name, HttpContext http, ApiContext api, CancellationToken ct) => Suspend(planId, name, true, http, api, ct));
        plan.MapPost("/{name}/resume", (string planId, string name, HttpContext http, ApiContext api, CancellationToken ct) => Suspend(planId, name, false, http, api, ct));
        plan.MapPost("/{name}/run", RunNow);
        plan.MapGet("/{name}/preview", PreviewOf);
        plan.GuardPlan("planId"); // a schedule is in its plan's namespace
        var all = routes.MapGroup("/api/v1/schedules").WithTags("Schedules");
        all.MapGet("/", List);
        all.MapPost("/preview", TryPreview).WithMetadata(ScheduleRequests.Preview);
        return routes;
    }

    private static async Task<Results<Created<ScheduleSaved>, Ok<ScheduleSaved>, AcceptedProblem, ProblemHttpResult>> Put(string planId, string name, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((Ids.Check("planId", planId) ?? await CheckNameToSave(planId, name, api) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        if (IfMatch.Read(http.Request, "a schedule revision", out var expected) is { } badCondition)
        {
            return badCondition;
        }
        using var body = await JsonBody.ReadAsync(http, required: true, cancellationToken);
        if (body.Error is { } bodyError)
        {
            return Problems.From(bodyError);
        }
        var fields = JsonFields.Of(body.Root);
        if (ScheduleRequest.Read(fields) is not { } spec)
        {
            return Problems.Validation(fields.Errors, "The schedule is invalid.");
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
        var requestId = CommandWaiter.RequestId(http);
        var grain = api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name));
        var result = await api.Waiter.SendAsync(grain.Save(new SaveSchedule(requestId, planId, name, spec with { Parameters = values }, expected, Caller.Of(http), planView.Namespace)),
            () => grain.GetRequestResultAsync(requestId), cancellationToken);
        var location = $"/api/v1/plans/{planId}/schedules/{name}";
        if (result is null)
        {
            return Problems.Accepted(location);
        }
        if (!result.Ok)
        {
            return Problems.Failure(result);
        }
        var saved = new ScheduleSaved(planId, name, int.Parse(result.Value!, System.Globalization.CultureInfo.InvariantCulture));
        http.Response.Headers.ETag = $"\"{saved.Revision}\"";
        return saved.Revision == 1 ? TypedResults.Created(location, saved) : TypedResults.Ok(saved);
    }

    /// <summary>
    /// Null when <paramref name="name"/> may be saved: a name for a new schedule, or the name of one that exists (saved
    /// under an earlier, looser rule, and still replaceable); else the 400 naming <c>name</c>.
    /// </summary>
    private static async Task<ProblemHttpResult?> CheckNameToSave(string planId, string name, ApiContext api)
    {
        if (ScheduleNames.CheckNew(name) is not { } strict)
        {
            return null;
        }
        if (!Ids.IsValid(name))
        {
            return strict;
        }
        var existing = await api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name)).GetAsync();
        return existing is { Deleted: false } ? null : strict;
    }

    private static async Task<Results<Ok<ScheduleReply>, ProblemHttpResult>> Get(string planId, string name, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var (reply, problem) = await ReadOneAsync(planId, name, http, api, cancellationToken);
        if (reply is null)
        {
            return problem!;
        }
        http.Response.Headers.ETag = $"\"{reply.Revision}\"";
        return TypedResults.Ok(reply);
    }

    /// <summary>
    /// The schedule <c>GET …/schedules/{name}</c> answers for this request's query (<c>preview</c>), or its 400/404; the
    /// schedule's event stream reads the same.
    /// </summary>
    internal static async Task<(ScheduleReply? Reply, ProblemHttpResult? Problem)> ReadOneAsync(string planId, string name, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var count = query.Int("preview", 0, SchedulePreview.MaxCount);
        if ((CheckIds(planId, name) ?? query.Problem()) is { } bad)
        {
            return (null, bad);
        }
        var view = await api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name)).GetAsync();
        if (view is null || view.Deleted)
        {
            return (null, Problems.NotFound($"Plan '{planId}' has no schedule '{name}'."));
        }
        // Secret parameters are shown masked, as the plan defines them (all of them if the plan is gone).
        var plan = view.Spec.InlinePlan ?? (await api.Client.GetGrain<IPlanGrain>(planId).GetAsync(view.Spec.PlanVersion))?.Definition;
        var parameters = plan is null
            ? view.Spec.Parameters.ToDictionary(p => p.Key, _ => "***")
            : PlanParameters.Masked(plan, view.Spec.Parameters);
        return (new ScheduleReply(view.Key, view.Namespace, view.PlanId, view.Name, view.Revision, Spec(view.Spec, parameters), view.NextDue, view.LastDue,
            view.FiredCount, view.SkippedCount, view.Active, view.Buffered, view.Backlog, [.. view.Runs.Reverse()], [.. view.Skipped.Reverse()],
            view.NextDue is { } next ? SchedulePreview.Fires(Saved(view.Spec), next.AddTicks(-1), count ?? DefaultNextFires) : [],
            view.CreatedAt, view.UpdatedAt), null);
    }

    /// <summary>A saved schedule's cron: it was validated when saved (a zone id an earlier version accepted still loads).</summary>
    private static CronSchedule Saved(ScheduleSpec spec) => CronSchedule.ParseSaved(spec.Cron, spec.TimeZone, spec.DayMatching);

    /// <summary>A spec as the API shows it: durations as text, secrets (parameters given masked, the hook's) hidden.</summary>
    private static ScheduleSpecView Spec(ScheduleSpec spec, IReadOnlyDictionary<string, string> parameters) => new(
        spec.Cron,
        spec.TimeZone,
        spec.DayMatching,
        spec.Description,
        spec.Suspend,
        spec.StartingDeadline is { } d ? Orchestrator.Plans.Parsing.DurationFormat.Format(d) : null,
        spec.Overlap,
        spec.CatchUp,
        Orchestrator.Plans.Parsing.DurationFormat.Format(spec.CatchUpWindow),
        spec.SuccessfulHistoryLimit,
        spec.FailedHistoryLimit,
        spec.PlanVersion,
        parameters,
        spec.Hook is { } hook ? new StatusHookView(HookUrls.Redact(hook.Url), hook.Secret is null ? null : "***") : null,
        spec.Labels.Count > 0 ? spec.Labels : null);

    private static async Task<Results<NoContent, AcceptedProblem, ProblemHttpResult>> Delete(string planId, string name, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((CheckIds(planId, name) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var requestId = CommandWaiter.RequestId(http);
        var grain = api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name));
        var result = await api.Waiter.SendAsync(grain.Delete(new ScheduleCommand(requestId, Caller.Of(http))), () => grain.GetRequestResultAsync(requestId), cancellationToken);
        if (result is null)
        {
            return Problems.Accepted($"/api/v1/plans/{planId}/schedules/{name}");
        }
        return result.Ok ? TypedResults.NoContent() : Problems.Failure(result);
    }

    private static async Task<Results<Ok<ScheduleSuspended>, AcceptedProblem, ProblemHttpResult>> Suspend(string planId, string name, bool suspend, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((CheckIds(planId, name) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var requestId = CommandWaiter.RequestId(http);
        var grain = api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name));
        var result = await api.Waiter.SendAsync(grain.SetSuspended(new SuspendSchedule(requestId, suspend, Caller.Of(http))),
            () => grain.GetRequestResultAsync(requestId), cancellationToken);
        if (result is null)
        {
            return Problems.Accepted($"/api/v1/plans/{planId}/schedules/{name}");
        }
        return result.Ok
            ? TypedResults.Ok(new ScheduleSuspended(planId, name, suspend, int.Parse(result.Value!, System.Globalization.CultureInfo.InvariantCulture)))
            : Problems.Failure(result);
    }

    private static async Task<Results<Accepted<ScheduleRunAccepted>, ProblemHttpResult>> RunNow(string planId, string name, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((CheckIds(planId, name) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var requestId = CommandWaiter.RequestId(http);
        var instanceId = IdempotencyKey.NewId(http, requestId, "instance");
        var grain = api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name));
        var result = await api.Waiter.SendAsync(grain.RunNow(new RunScheduleNow(requestId, instanceId, Caller.Of(http))),
            () => grain.GetRequestResultAsync(requestId), cancellationToken);
        // Not applied within the wait (no result): the command is stored and will start the instance; its id is already known.
        return result is { Ok: false }
            ? Problems.Failure(result)
            : TypedResults.Accepted($"/api/v1/task-instances/{instanceId}", new ScheduleRunAccepted(instanceId, planId, name));
    }

    private static async Task<Results<Ok<SchedulePreviewReply>, ProblemHttpResult>> PreviewOf(string planId, string name, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var count = query.Int("count", 1, SchedulePreview.MaxCount);
        var from = query.Time("from", SchedulePreview.MinFrom, SchedulePreview.MaxFrom);
        if ((CheckIds(planId, name) ?? query.Problem()) is { } bad)
        {
            return bad;
        }
        var view = await api.Client.GetGrain<IScheduleGrain>(GrainKeys.Schedule(planId, name)).GetAsync();
        if (view is null || view.Deleted)
        {
            return Problems.NotFound($"Plan '{planId}' has no schedule '{name}'.");
        }
        var fires = SchedulePreview.Fires(Saved(view.Spec), from ?? api.Clock.GetUtcNow(), count ?? SchedulePreview.DefaultCount);
        return TypedResults.Ok(new SchedulePreviewReply(view.Spec.Cron, view.Spec.TimeZone, view.Spec.DayMatching, view.Spec.Suspend, fires));
    }

    private static async Task<Results<Ok<CronPreviewReply>, ProblemHttpResult>> TryPreview(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if (new QueryValues(http).Problem() is { } badQuery)
        {
            return badQuery;
        }
        using var body = await JsonBody.ReadAsync(http, required: true, cancellationToken);
        if (body.Error is { } bodyError)
        {
            return Problems.From(bodyError);
        }
        var fields = JsonFields.Of(body.Root);
        if (SchedulePreview.Read(fields, api.Clock.GetUtcNow()) is not { } request)
        {
            return Problems.Validation(fields.Errors, "The preview request is invalid.");
        }
        var schedule = CronSchedule.Parse(request.Cron, request.TimeZone, request.DayMatching);
        return TypedResults.Ok(new CronPreviewReply(request.Cron, request.TimeZone, request.DayMatching, SchedulePreview.Fires(schedule, request.From, request.Count)));
    }

    private static async Task<Results<Ok<Page<ScheduleListItem>>, ProblemHttpResult>> ListOfPlan(string planId, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if (Ids.Check("planId", planId) is { } bad)
        {
            return bad;
        }
        var prefix = planId + "/";
        // The guard found the plan's namespace; a plan that does not exist has no schedules but those of before namespaces.
        var ns = NamespaceGuard.Of(http) ?? Identity.Roles.DefaultNamespace;
        return Answer(await ReadPageAsync(prefix, (_, _) => Task.FromResult(NamespaceScope.Partitions([ns])), http, api, cancellationToken));
    }

    private static async Task<Results<Ok<Page<ScheduleListItem>>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken) =>
        Answer(await ReadListAsync(http, api, cancellationToken));

    /// <summary>The page <c>GET /api/v1/schedules</c> answers for this request's query and caller (its list event stream reads the same), or the 400.</summary>
    internal static Task<(Page<ScheduleListItem>? Page, ProblemHttpResult? Problem)> ReadListAsync(HttpContext http, ApiContext api, CancellationToken cancellationToken) =>
        ReadPageAsync("", (query, ct) => NamespaceScope.PartitionsAsync(http, api, NamespaceScope.Read(query), ct), http, api, cancellationToken);

    private static Results<Ok<Page<ScheduleListItem>>, ProblemHttpResult> Answer((Page<ScheduleListItem>? Page, ProblemHttpResult? Problem) read) =>
        read.Page is { } page ? TypedResults.Ok(page) : read.Problem!;

    /// <summary>
    /// A page of schedule rows whose keys ("planId/name") start with <paramref name="prefix"/>. The cursor is the common
    /// opaque one (<see cref="Cursor"/>) over the last key; a cursor from another plan's list is refused.
    /// </summary>
    private static async Task<(Page<ScheduleListItem>? Page, ProblemHttpResult? Problem)> ReadPageAsync(string prefix, Func<QueryValues, CancellationToken, Task<IReadOnlyList<string>>> partitionsOf, HttpContext http, ApiContext api,
        CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var key = query.After();
        var limit = query.Int("limit", 1, api.Options.MaxPageSize);
        var partitions = await partitionsOf(query, cancellationToken);
        if (query.Problem() is { } bad)
        {
            return (null, bad);
        }
        string? after = prefix.Length > 0 ? prefix : null;
        if (key is not null)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Split('/') is not [var p, var n] || !Ids.IsValid(p) || !Ids.IsValid(n))
            {
                return (null, Problems.Field("after", "This cursor is not one of this list's: pass the 'next' value of the previous page unchanged."));
            }
            after = key;
        }
        var size = api.PageSize(limit);
        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Schedule, partitions) { AfterKey = after, Limit = size }, cancellationToken);
        var items = rows.TakeWhile(r => r.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(r => new ScheduleListItem(r.Key, NamespacePartitions.NamespaceOf(r.Partition), r.Data is null ? null : InForce(IndexJson.Parse<ScheduleIndexData>(r.Data))))
            .ToList();
        return (new Page<ScheduleListItem>(items, Cursor.Next(items.Count, size, () => items[^1].Key)), null);
    }

    /// <summary>
    /// A row as the list shows it: with the day rule in force, also in a row written before day matching existed (which
    /// has none): both-must-match, the rule then, or the standard rule for a Harbor periodic job's (see ScheduleState).
    /// </summary>
    private static ScheduleIndexData InForce(ScheduleIndexData row) =>
        row.DayMatching is not null ? row : row with { DayMatching = DayRuleUpgrade.IsPeriodicJob(row) ? DayMatching.Either : DayMatching.Both };

    private static ProblemHttpResult? CheckIds(string planId, string name) => Ids.Check("planId", planId) ?? Ids.Check("name", name);
}
