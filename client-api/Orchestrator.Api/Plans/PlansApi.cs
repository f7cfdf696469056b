using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Parameters;
using Orchestrator.Plans.Serialization;
using Orchestrator.Plans.Parsing;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Plans;

/// <summary>
/// /api/v1/plans: create and update plans (YAML or JSON bodies, validated with line and column), read versions,
/// list, and run. A plan as the API shows it has its secret parameters' defaults masked.
/// </summary>
public static partial class PlansApi
{
    public static RouteGroupBuilder MapPlansApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/plans").WithTags("Plans");
        group.MapPost("/", Create).WithMetadata(PlanRequests.Plan);
        group.MapPut("/{id}", Put).WithMetadata(PlanRequests.Plan);
        group.MapGet("/{id}", Get).WithMetadata(new Hosting.AlsoAnswers(200, "application/yaml", "With format=yaml: the definition as YAML."));
        group.MapGet("/{id}/versions", Versions);
        group.MapGet("/", List);
        group.MapPost("/{id}/run", Run).WithMetadata(PlanRequests.Run);
        group.GuardPlan("id");
        return group;
    }

    private static async Task<Results<Created<PlanSaved>, Ok<PlanSaved>, Ok<PlanChecked>, AcceptedProblem, ProblemHttpResult>> Create(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var id = query.Text("id", ApiLimits.MaxIdLength + 1);
        var ns = NamespaceScope.Read(query);
        var dryRun = query.OneOf("dryRun", "true", "false") == "true";
        if ((query.Problem() ?? (id is null ? null : Ids.CheckNew("id", id))) is { } bad)
        {
            return bad;
        }
        return await Save(http, api, id ?? Guid.NewGuid().ToString("N"), expectedVersion: 0, ns, dryRun, cancellationToken);
    }

    private static async Task<Results<Created<PlanSaved>, Ok<PlanSaved>, Ok<PlanChecked>, AcceptedProblem, ProblemHttpResult>> Put(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var ns = NamespaceScope.Read(query);
        var dryRun = query.OneOf("dryRun", "true", "false") == "true";
        if ((Ids.Check("id", id) ?? query.Problem()) is { } bad)
        {
            return bad;
        }
        if (IfMatch.Read(http.Request, "a plan version", out var expected) is { } badIfMatch)
        {
            return badIfMatch;
        }
        // An id of the older, wider alphabet (_template) still updates the plan stored under it, but creates none.
        if (!Ids.IsValidNew(id) && await api.Client.GetGrain<IPlanGrain>(id).GetAsync(null) is null)
        {
            return Ids.CheckNew("id", id)!;
        }
        return await Save(http, api, id, expected, ns, dryRun, cancellationToken);
    }

    /// <summary>
    /// Stores a version. The plan's namespace: the document's <c>namespace</c>, else <c>?namespace=</c>, else the stored
    /// plan's, else <c>default</c>; the two given and different, or another than the stored plan's, is a 400 naming
    /// <c>namespace</c>. A new plan needs admin on its namespace (an existing one was checked by <see cref="NamespaceGuard"/>).
    /// A <paramref name="dryRun"/> makes every one of these checks and answers 200 with what it would save, saving nothing
    /// (and is not audited: it changes nothing); it does not check If-Match.
    /// </summary>
    private static async Task<Results<Created<PlanSaved>, Ok<PlanSaved>, Ok<PlanChecked>, AcceptedProblem, ProblemHttpResult>> Save(HttpContext http, ApiContext api, string id, int? expectedVersion, string? queryNamespace, bool dryRun,
        CancellationToken cancellationToken)
    {
        var (text, bodyError) = await PlanBody.ReadAsync(http, cancellationToken);
        if (bodyError is not null)
        {
            return Problems.From(bodyError);
        }
        var parsed = PlanParser.Parse(text!, http.Request.ContentType);
        if (!parsed.Ok)
        {
            // An error about the document as a whole (not a mapping, too many values) has no path: it is about the body.
            return Problems.Validation(parsed.Errors.Select(e => new FieldError(e.Path.Length == 0 ? "body" : e.Path, e.Message, e.Line, e.Column)), "The plan is invalid.");
        }
        var client = api.Client;
        var grain = client.GetGrain<IPlanGrain>(id);
        var plan = parsed.Plan!;
        if (plan.Namespace is { } given && queryNamespace is not null && given != queryNamespace)
        {
            return Problems.Field("namespace", $"The plan's namespace '{given}' differs from ?namespace={queryNamespace}; give one, or the same in both.");
        }
        var stored = NamespaceGuard.Of(http) ?? (expectedVersion == 0 ? null : await grain.GetNamespaceAsync());
        var ns = plan.Namespace ?? queryNamespace ?? stored ?? Identity.Roles.DefaultNamespace;
        if (stored is not null && ns != stored)
        {
            return Problems.Field("namespace", $"Plan '{id}' is in namespace '{stored}'; a plan cannot move to another namespace ('{ns}').");
        }
        if (stored is null && !Access.Allows(http.User, ns, Identity.Role.Admin))
        {
            return Access.Forbidden(http, Access.Refusal(Identity.Role.Admin, ns));
        }
        plan = plan with { Namespace = ns };
        if (plan.Parameters.Any(p => p.Default == PlanParameters.Mask))
        {
            // A plan read from GET shows secret defaults as the mask; sent back, it keeps the defaults it had.
            var (restored, maskErrors) = PlanParameters.RestoreMaskedDefaults(plan, (await grain.GetAsync(null))?.Definition);
            if (maskErrors.Count > 0)
            {
                return Problems.Validation(maskErrors.Select(e => new FieldError(e.Path, e.Message)), "The plan is invalid.");
            }
            plan = restored;
        }
        if (dryRun)
        {
            Audit.AuditRecording.NotAChange(http);
            return TypedResults.Ok(new PlanChecked(id, ns, stored is null ? null : (await grain.GetAsync(null))?.LatestVersion, plan.Steps.Count));
        }
        var requestId = CommandWaiter.RequestId(http);
        var result = await api.Waiter.SendAsync(grain.Save(new SavePlan(requestId, plan, expectedVersion, Caller.Of(http))), () => grain.GetRequestResultAsync(requestId), cancellationToken);
        if (result is null)
        {
            return Problems.Accepted($"/api/v1/plans/{id}");
        }
        if (!result.Ok)
        {
            return Problems.Failure(result);
        }
        var saved = new PlanSaved(id, int.Parse(result.Value!, System.Globalization.CultureInfo.InvariantCulture));
        return saved.Version == 1 ? TypedResults.Created($"/api/v1/plans/{id}", saved) : TypedResults.Ok(saved);
    }

    private static async Task<Results<Ok<PlanReply>, ContentHttpResult, ProblemHttpResult>> Get(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var version = query.Int("version", 1, int.MaxValue);
        var format = query.OneOf("format", "json", "yaml");
        if ((Ids.Check("id", id) ?? query.Problem()) is { } bad)
        {
            return bad;
        }
        var view = await api.Client.GetGrain<IPlanGrain>(id).GetAsync(version);
        if (view is null)
        {
            return Problems.NotFound(version is null ? $"No plan '{id}'." : $"Plan '{id}' has no version {version}.");
        }
        var definition = PlanParameters.MaskDefaults(view.Definition);
        if (format == "yaml")
        {
            return TypedResults.Text(PlanSerializer.ToYaml(definition), "application/yaml");
        }
        return TypedResults.Ok(new PlanReply(view.Id, view.Namespace, view.Version, view.LatestVersion, view.CreatedAt, view.UpdatedAt,
            System.Text.Json.JsonDocument.Parse(PlanSerializer.ToJson(definition)).RootElement, view.RecentInstances));
    }

    private static async Task<Results<Ok<PlanVersionsReply>, ProblemHttpResult>> Versions(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var (reply, problem) = await ReadVersionsAsync(id, http, api, cancellationToken);
        return reply is null ? problem! : TypedResults.Ok(reply);
    }

    /// <summary>
    /// <c>GET /api/v1/plans/{id}/versions</c>: every version, newest first, with when and by whom it was saved (the
    /// plan's event stream reads the same), or the 400/404.
    /// </summary>
    internal static async Task<(PlanVersionsReply? Reply, ProblemHttpResult? Problem)> ReadVersionsAsync(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((Ids.Check("id", id) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return (null, bad);
        }
        var grain = api.Client.GetGrain<IPlanGrain>(id);
        var versions = await grain.GetVersionsAsync();
        var ns = await grain.GetNamespaceAsync();
        return versions is null || ns is null
            ? (null, Problems.NotFound($"No plan '{id}'."))
            : (new PlanVersionsReply(id, ns, versions.Count, versions), null);
    }

    private static async Task<Results<Ok<Page<PlanListItem>>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var (page, problem) = await ReadListAsync(http, api, cancellationToken);
        return page is null ? problem! : TypedResults.Ok(page);
    }

    /// <summary>The page <c>GET /api/v1/plans</c> answers for this request's query and caller (its list event stream reads the same), or the 400.</summary>
    internal static async Task<(Page<PlanListItem>? Page, ProblemHttpResult? Problem)> ReadListAsync(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var after = query.After();
        var size = query.Limit(api.Options.MaxPageSize);
        var requested = NamespaceScope.Read(query);
        if (query.Problem() is { } bad)
        {
            return (null, bad);
        }
        var partitions = await NamespaceScope.PartitionsAsync(http, api, requested, cancellationToken);
        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Plan, partitions) { AfterKey = after, Limit = size }, cancellationToken);
        var items = rows.Select(r => new PlanListItem(r.Key, NamespacePartitions.NamespaceOf(r.Partition), r.Data is null ? null : IndexJson.Parse<PlanIndexData>(r.Data))).ToList();
        return (new Page<PlanListItem>(items, Cursor.Next(items.Count, size, () => items[^1].Id)), null);
    }
}
