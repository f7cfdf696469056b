using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
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
        var hooks = routes.MapGroup("/api/v1/hooks").WithTags("Status hooks");
        hooks.MapGet("/parked", Parked);
        var instances = routes.MapGroup("/api/v1/task-instances").WithTags("Status hooks");
        instances.MapGet("/{id}/hook", Get);
        instances.MapPost("/{id}/hook/replay", Replay).WithMetadata(HookRequests.Replay);
        instances.GuardInstance();
        return routes;
    }

    /// <summary>
    /// Reads a body's <c>statusHook</c> object (<c>url</c>, <c>secret</c>), adding errors to <paramref name="body"/>;
    /// null when absent or bad. The one reader of a hook, for runs and schedules alike: an absolute http or https URL
    /// of at most <see cref="ApiLimits.MaxUrlLength"/> characters (<see cref="CheckUrl"/>) and, when given, a secret of
    /// 1 to <see cref="ApiLimits.MaxSecretLength"/> characters.
    /// </summary>
    public static StatusHook? Read(JsonFields body, string field)
    {
        var fields = body.Object(field);
        if (fields is null)
        {
            return null;
        }
        var text = fields.String("url", ApiLimits.MaxUrlLength, required: true);
        var secret = fields.String("secret", ApiLimits.MaxSecretLength);
        fields.RefuseUnknown();
        Uri? url = null;
        if (text is not null && CheckUrl(text, out url) is { } why)
        {
            fields.Add("url", why);
        }
        var badSecret = CheckSecret(secret);
        if (badSecret is not null)
        {
            fields.Add("secret", badSecret);
        }
        return url is null || badSecret is not null ? null : new StatusHook(url.AbsoluteUri, secret);
    }

    /// <summary>Null when <paramref name="text"/> is an absolute http(s) URL within the length limit; else why not.</summary>
    public static string? CheckUrl(string? text, out Uri? url)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return "Required: the absolute http or https URL status changes are posted to.";
        }
        if (text.Length > ApiLimits.MaxUrlLength)
        {
            return $"Longer than {ApiLimits.MaxUrlLength} characters ({text.Length}).";
        }
        if (text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            || !Uri.TryCreate(text, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
        {
            url = null;
            return $"{Quote.Of(HookUrls.Redact(text))} is not an absolute http or https URL.";
        }
        return null;
    }

    private static string? CheckSecret(string? secret) =>
        secret is { Length: 0 } or { Length: > ApiLimits.MaxSecretLength }
            ? $"The secret must be 1 to {ApiLimits.MaxSecretLength} characters; leave it out to sign with the server's default secret."
            : null;

    private static async Task<Results<Ok<Page<HookParkedIndexData>>, ProblemHttpResult>> Parked(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var after = query.After();
        var size = query.Limit(api.Options.MaxPageSize);
        if (query.Problem() is { } bad)
        {
            return bad;
        }
        var rows = await api.Client.Indexes.QueryAsync(new IndexQuery(IndexKinds.HookParked, [""]) { AfterKey = after, Limit = size }, cancellationToken);
        var items = rows.Select(r => IndexJson.Parse<HookParkedIndexData>(r.Data!)).Select(d => d with { Url = HookUrls.Redact(d.Url) }).ToList();
        return TypedResults.Ok(new Page<HookParkedIndexData>(items, Cursor.Next(items.Count, size, () => rows[^1].Key)));
    }

    private static async Task<Results<Ok<HookView>, ProblemHttpResult>> Get(string id, HttpContext http, ApiContext api)
    {
        if ((Ids.Check("id", id) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var view = await Hook(api, id).GetAsync();
        return view is null
            ? Problems.NotFound($"Task instance '{id}' has no status hook events (none yet, or it was deleted).")
            : TypedResults.Ok(view with { Url = HookUrls.Redact(view.Url) });
    }

    private static async Task<Results<Ok<HookReplayed>, AcceptedProblem, ProblemHttpResult>> Replay(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((Ids.Check("id", id) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        using var body = await JsonBody.ReadAsync(http, required: false, cancellationToken);
        if (body.Error is { } error)
        {
            return Problems.From(error);
        }
        var fields = JsonFields.Of(body.Root);
        var revision = fields.Whole("revision", 1, long.MaxValue);
        fields.RefuseUnknown();
        if (fields.Errors.Count > 0)
        {
            return Problems.Validation(fields.Errors);
        }
        var grain = Hook(api, id);
        if (await grain.GetAsync() is null)
        {
            return Problems.NotFound($"Task instance '{id}' has no status hook events (none yet, or it was deleted).");
        }
        var requestId = CommandWaiter.RequestId(http);
        var result = await api.Waiter.SendAsync(grain.Replay(new HookReplay(requestId, revision, Caller.Of(http))), () => grain.GetRequestResultAsync(requestId), cancellationToken);
        if (result is null)
        {
            return Problems.Accepted($"/api/v1/task-instances/{id}/hook");
        }
        return result.Ok
            ? TypedResults.Ok(new HookReplayed(id, HookSubjects.Instance(id), int.Parse(result.Value!, System.Globalization.CultureInfo.InvariantCulture)))
            : Problems.Failure(result);
    }

    private static IStatusHookGrain Hook(ApiContext api, string id) => api.Client.GetGrain<IStatusHookGrain>(HookSubjects.Instance(id));
}
