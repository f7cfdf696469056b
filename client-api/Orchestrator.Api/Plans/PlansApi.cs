using Microsoft.AspNetCore.Mvc;
using Orchestrator.Api.Common;
using Orchestrator.Api.Hosting;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Parameters;
using Orchestrator.Plans.Serialization;
using Orchestrator.Plans.Parsing;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Plans;

/// <summary>
/// /api/v1/plans: create and update plans (YAML or JSON bodies, validated with line and column), read versions,
/// list, and run.
/// </summary>
public static class PlansApi
{
    public static RouteGroupBuilder MapPlansApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/plans").WithTags("Plans").AddEndpointFilter(ApiContext.RequireClient);
        group.MapPost("/", Create);
        group.MapPut("/{id}", Put);
        group.MapGet("/{id}", Get);
        group.MapGet("/", List);
        group.MapPost("/{id}/run", Run);
        return group;
    }

    private static async Task<IResult> Create(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var id = http.Request.Query["id"].FirstOrDefault() ?? Guid.NewGuid().ToString("N");
        return await Save(http, api, id, expectedVersion: 0, cancellationToken);
    }

    private static async Task<IResult> Put(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        int? expected = null;
        if (http.Request.Headers.IfMatch.FirstOrDefault() is { } ifMatch)
        {
            if (!int.TryParse(ifMatch.Trim('"', 'W', '/'), out var v) || v < 0)
            {
                return Problems.Field("If-Match", $"'{ifMatch}' is not a plan version (a non-negative integer).");
            }
            expected = v;
        }
        return await Save(http, api, id, expected, cancellationToken);
    }

    private static async Task<IResult> Save(HttpContext http, ApiContext api, string id, int? expectedVersion, CancellationToken cancellationToken)
    {
        if (Ids.Check("id", id) is { } bad)
        {
            return bad;
        }
        using var reader = new StreamReader(http.Request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Problems.Field("body", "The plan is empty; send it as YAML or JSON.");
        }
        var parsed = PlanParser.Parse(text, http.Request.ContentType);
        if (!parsed.Ok)
        {
            return Problems.Validation(parsed.Errors.Select(e => new FieldError(e.Path, e.Message, e.Line, e.Column)), "The plan is invalid.");
        }
        var client = api.Client;
        var requestId = CommandWaiter.NewRequestId();
        var grain = client.GetGrain<IPlanGrain>(id);
        await grain.Save(new SavePlan(requestId, parsed.Plan!, expectedVersion, Caller.Of(http)));
        var result = await api.Waiter.WaitAsync(() => grain.GetRequestResultAsync(requestId), cancellationToken);
        return Problems.FromResult(result, r =>
        {
            var version = int.Parse(r.Value!, System.Globalization.CultureInfo.InvariantCulture);
            var body = new { id, version };
            return version == 1 ? TypedResults.Created($"/api/v1/plans/{id}", body) : TypedResults.Ok(body);
        });
    }

    private static async Task<IResult> Get(string id, int? version, string? format, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        var view = await client.GetGrain<IPlanGrain>(id).GetAsync(version);
        if (view is null)
        {
            return Problems.NotFound(version is null ? $"No plan '{id}'." : $"Plan '{id}' has no version {version}.");
        }
        if (format == "yaml")
        {
            return TypedResults.Text(PlanSerializer.ToYaml(view.Definition), "application/yaml");
        }
        return TypedResults.Ok(new
        {
            view.Id,
            view.Version,
            view.LatestVersion,
            view.CreatedAt,
            view.UpdatedAt,
            definition = System.Text.Json.JsonDocument.Parse(PlanSerializer.ToJson(view.Definition)).RootElement,
            view.RecentInstances,
        });
    }

    private static async Task<IResult> List(string? after, int? limit, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        var rows = await client.Indexes.QueryAsync(new IndexQuery(IndexKinds.Plan, [""]) { AfterKey = after, Limit = api.PageSize(limit) }, cancellationToken);
        var items = rows.Select(r => new { id = r.Key, plan = r.Data is null ? null : Common.IndexJson.Parse<PlanIndexData>(r.Data) }).ToList();
        return TypedResults.Ok(new { items, next = items.Count > 0 && items.Count == api.PageSize(limit) ? items[^1].id : null });
    }

    /// <summary>
    /// Body of POST /api/v1/plans/{id}/run. At (RFC 3339) or Delay ("90s", "5m", "1h30m") makes a delayed run: the
    /// instance waits in status scheduled and can be cancelled until then.
    /// </summary>
    public sealed record RunRequest(Dictionary<string, string>? Parameters, int? Version)
    {
        public DateTimeOffset? At { get; init; }

        public string? Delay { get; init; }

        /// <summary>Where the instance's status changes are posted (see docs/api.md, "Status hooks").</summary>
        public Hooks.HooksApi.StatusHookRequest? StatusHook { get; init; }
    }

    /// <summary>The furthest ahead a delayed run may start.</summary>
    internal static readonly TimeSpan MaxDelay = TimeSpan.FromDays(3653);

    /// <summary>When a run may start: at once (empty options), at a time, or after a delay; or the field that is wrong.</summary>
    private static (RunOptions Options, IResult? Error) Timing(RunRequest? request, DateTimeOffset now)
    {
        if (request is null || request.At is null && request.Delay is null)
        {
            return (new RunOptions(), null);
        }
        if (request.At is not null && request.Delay is not null)
        {
            return (new RunOptions(), Problems.Field("delay", "Give either at or delay, not both."));
        }
        if (request.At is { } at)
        {
            return at - now > MaxDelay
                ? (new RunOptions(), Problems.Field("at", $"'{at:O}' is more than {MaxDelay.TotalDays / 365:0} years ahead."))
                : (new RunOptions { NotBefore = at.ToUniversalTime() }, null);
        }
        if (!DurationFormat.TryParse(request.Delay, out var delay) || delay < TimeSpan.Zero || delay > MaxDelay)
        {
            return (new RunOptions(), Problems.Field("delay", $"'{request.Delay}' is not a duration from 0s to {MaxDelay.TotalDays / 365:0} years, such as 90s, 5m or 1h30m."));
        }
        return (new RunOptions { Delay = delay }, null);
    }

    private static async Task<IResult> Run(string id, [FromBody] RunRequest? request, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        var grain = client.GetGrain<IPlanGrain>(id);
        var view = await grain.GetAsync(request?.Version);
        if (view is null)
        {
            return Problems.NotFound(request?.Version is { } v ? $"Plan '{id}' has no version {v}." : $"No plan '{id}'.");
        }
        var (values, errors) = PlanParameters.Resolve(view.Definition, request?.Parameters ?? []);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors.Select(e => new FieldError(e.Path, e.Message)), "The parameters are invalid.");
        }
        var (options, timingError) = Timing(request, api.Clock.GetUtcNow());
        if (timingError is not null)
        {
            return timingError;
        }
        if (Hooks.HooksApi.Validate(request?.StatusHook, "statusHook", out var hook) is { } hookError)
        {
            return hookError;
        }
        options = options with { Hook = hook };
        var requestId = CommandWaiter.NewRequestId();
        var instanceId = Guid.NewGuid().ToString("N");
        await grain.Run(new RunPlan(requestId, instanceId, view.Version, values, Caller.Of(http), options));
        var result = await api.Waiter.WaitAsync(() => grain.GetRequestResultAsync(requestId), cancellationToken);
        var accepted = new { id = instanceId, planId = id, planVersion = view.Version };
        // Not applied within the wait: the command is stored and will start the instance; its id is already known.
        return result is null
            ? TypedResults.Accepted($"/api/v1/task-instances/{instanceId}", accepted)
            : Problems.FromResult(result, _ => TypedResults.Accepted($"/api/v1/task-instances/{instanceId}", accepted));
    }
}
