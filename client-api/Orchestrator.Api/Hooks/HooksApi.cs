using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Hooks;

/// <summary>
/// Status hooks: the parked deliveries across subjects (<c>/api/v1/hooks/parked</c>), and a task instance's hook:
/// where its events stand (<c>GET /api/v1/task-instances/{id}/hook</c>) and replay of parked ones
/// (<c>POST /api/v1/task-instances/{id}/hook/replay</c>). Both answer 404 once the instance is deleted: its hook
/// is purged with it.
/// </summary>
public static class HooksApi
{
    public static IEndpointRouteBuilder MapHooksApi(this IEndpointRouteBuilder routes)
    {
        var hooks = routes.MapGroup("/api/v1/hooks").WithTags("Status hooks").AddEndpointFilter(ApiContext.RequireClient);
        hooks.MapGet("/parked", Parked);
        var instances = routes.MapGroup("/api/v1/task-instances").WithTags("Status hooks").AddEndpointFilter(ApiContext.RequireClient);
        instances.MapGet("/{id}/hook", Get);
        instances.MapPost("/{id}/hook/replay", Replay);
        return routes;
    }

    /// <summary>Body of a run's <c>statusHook</c>: where to post, and the HMAC key (optional: the silo's default then).</summary>
    public sealed record StatusHookRequest(string? Url, string? Secret);

    /// <summary>Body of POST …/hook/replay: one parked revision, or (null) all of them.</summary>
    public sealed record ReplayRequest(long? Revision);

    /// <summary>Checks a run's hook: an absolute http or https URL and, when given, a non-empty secret.</summary>
    public static IResult? Validate(StatusHookRequest? request, string field, out StatusHook? hook)
    {
        hook = null;
        if (request is null)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(request.Url) || !Uri.TryCreate(request.Url, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return Problems.Field(field + ".url", $"'{request.Url}' is not an absolute http or https URL.");
        }
        if (request.Secret is { Length: 0 } || request.Secret is { Length: > 512 })
        {
            return Problems.Field(field + ".secret", "The secret must be 1 to 512 characters; leave it out to sign with the server's default secret.");
        }
        hook = new StatusHook(url.AbsoluteUri, request.Secret);
        return null;
    }

    private static async Task<IResult> Parked(string? after, int? limit, ApiContext api, CancellationToken cancellationToken)
    {
        var size = api.PageSize(limit);
        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.HookParked, [""]) { AfterKey = after, Limit = size }, cancellationToken);
        var items = rows.Select(r => new { key = r.Key, delivery = IndexJson.Parse<HookParkedIndexData>(r.Data!) }).ToList();
        return TypedResults.Ok(new
        {
            items = items.Select(i => i.delivery),
            next = items.Count == size ? items[^1].key : null,
        });
    }

    private static async Task<IResult> Get(string id, ApiContext api)
    {
        if (Ids.Check("id", id) is { } bad)
        {
            return bad;
        }
        var view = await Hook(api, id).GetAsync();
        return view is null ? Problems.NotFound($"Task instance '{id}' has no status hook events (none yet, or it was deleted).") : TypedResults.Ok(view);
    }

    private static async Task<IResult> Replay(string id, ReplayRequest? request, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if (Ids.Check("id", id) is { } bad)
        {
            return bad;
        }
        if (request?.Revision is < 1)
        {
            return Problems.Field("revision", $"{request.Revision} is not a revision; revisions start at 1.");
        }
        var grain = Hook(api, id);
        if (await grain.GetAsync() is null)
        {
            return Problems.NotFound($"Task instance '{id}' has no status hook events (none yet, or it was deleted).");
        }
        var requestId = CommandWaiter.NewRequestId();
        await grain.Replay(new HookReplay(requestId, request?.Revision, Caller.Of(http)));
        return Problems.FromResult(await api.Waiter.WaitAsync(() => grain.GetRequestResultAsync(requestId), cancellationToken),
            r => TypedResults.Ok(new { id, subject = HookSubjects.Instance(id), replayed = int.Parse(r.Value!, System.Globalization.CultureInfo.InvariantCulture) }));
    }

    private static IStatusHookGrain Hook(ApiContext api, string id) => api.Client.GetGrain<IStatusHookGrain>(HookSubjects.Instance(id));
}
