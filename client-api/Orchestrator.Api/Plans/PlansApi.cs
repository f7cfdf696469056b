using Orchestrator.Api.Common;
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
        group.MapGet("/", List);
        group.MapPost("/{id}/run", Run).WithMetadata(PlanRequests.Run);
        return group;
    }

    private static async Task<Results<Created<PlanSaved>, Ok<PlanSaved>, AcceptedProblem, ProblemHttpResult>> Create(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var id = query.Text("id", ApiLimits.MaxIdLength + 1);
        if ((query.Problem() ?? (id is null ? null : Ids.CheckNew("id", id))) is { } bad)
        {
            return bad;
        }
        return await Save(http, api, id ?? Guid.NewGuid().ToString("N"), expectedVersion: 0, cancellationToken);
    }

    private static async Task<Results<Created<PlanSaved>, Ok<PlanSaved>, AcceptedProblem, ProblemHttpResult>> Put(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((Ids.Check("id", id) ?? new QueryValues(http).Problem()) is { } bad)
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
        return await Save(http, api, id, expected, cancellationToken);
    }

    private static async Task<Results<Created<PlanSaved>, Ok<PlanSaved>, AcceptedProblem, ProblemHttpResult>> Save(HttpContext http, ApiContext api, string id, int? expectedVersion, CancellationToken cancellationToken)
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
        return TypedResults.Ok(new PlanReply(view.Id, view.Version, view.LatestVersion, view.CreatedAt, view.UpdatedAt,
            System.Text.Json.JsonDocument.Parse(PlanSerializer.ToJson(definition)).RootElement, view.RecentInstances));
    }

    private static async Task<Results<Ok<Page<PlanListItem>>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var after = query.After();
        var size = query.Limit(api.Options.MaxPageSize);
        if (query.Problem() is { } bad)
        {
            return bad;
        }
        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Plan, [""]) { AfterKey = after, Limit = size }, cancellationToken);
        var items = rows.Select(r => new PlanListItem(r.Key, r.Data is null ? null : IndexJson.Parse<PlanIndexData>(r.Data))).ToList();
        return TypedResults.Ok(new Page<PlanListItem>(items, Cursor.Next(items.Count, size, () => items[^1].Id)));
    }
}
