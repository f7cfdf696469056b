using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orchestrator.Api.Common;
using Orchestrator.Api.Hosts;
using Orchestrator.Api.Instances;
using Orchestrator.Api.Plans;
using Orchestrator.Api.Schedules;

namespace Orchestrator.Api.WebConsole; // not ".Console": that would hide System.Console in the whole assembly

/// <summary>
/// Live lists for the console (<c>text/event-stream</c>): <c>GET /api/v1/events/{task-instances,hosts,plans,schedules}</c>
/// take the query of the list they follow (<c>GET /api/v1/task-instances</c>, …: filters, <c>after</c>, <c>limit</c>) and
/// send that page as a <c>page</c> event — the list endpoint's reply — first and then whenever it changes. The server reads the page every <see cref="PollInterval"/> for the caller as the list
/// would (the same namespace and role filtering), so one reader per open view replaces one poll per view per few
/// seconds from the browser, and the browser gets nothing while nothing changes. The caller's credentials are checked
/// again every <see cref="ReauthenticateInterval"/>: a token revoked or expired meanwhile gets an <c>unauthorized</c>
/// event and the stream ends. A bad query is the list's 400, before the stream starts.
/// </summary>
public static class ListEvents
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan ReauthenticateInterval = TimeSpan.FromSeconds(5);

    /// <summary>Reads what the stream sends: the reply of the endpoint it follows, or that endpoint's problem (a 404 once it was deleted).</summary>
    internal delegate Task<(object? Page, ProblemHttpResult? Problem)> PageReader(HttpContext http, ApiContext api, CancellationToken cancellationToken);

    public static IEndpointRouteBuilder MapListEvents(this IEndpointRouteBuilder callers)
    {
        MapList(callers, "task-instances", "Task instances", async (h, a, c) => await InstancesApi.ReadListAsync(h, a, c));
        MapList(callers, "hosts", "Hosts", async (h, a, c) => await HostsApi.ReadListAsync(h, a, c));
        MapList(callers, "plans", "Plans", async (h, a, c) => await PlansApi.ReadListAsync(h, a, c));
        MapList(callers, "schedules", "Schedules", async (h, a, c) => await SchedulesApi.ReadListAsync(h, a, c));
        return callers;
    }

    /// <summary><c>GET /api/v1/events/{list}</c>: the page <c>GET /api/v1/{list}</c> answers, as <c>page</c> events.</summary>
    private static void MapList(IEndpointRouteBuilder callers, string list, string tag, PageReader read) =>
        callers.MapGet($"/api/v1/events/{list}", (HttpContext http, ApiContext api, IHostApplicationLifetime lifetime, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken) =>
                StreamAsync(http, api, lifetime, json.Value.SerializerOptions, read, cancellationToken))
            .WithTags(tag)
            .WithMetadata(new Hosting.AlsoAnswers(200, "text/event-stream", $"Server-sent events: `page` (what GET /api/v1/{list} answers for the same query) whenever it changed; `unauthorized` once the credentials are no longer accepted."));

    /// <summary>
    /// Streams what <paramref name="read"/> answers as <paramref name="eventName"/> events whenever it changed; once it
    /// answers a problem (the thing followed was deleted) the stream sends <c>gone</c> and ends.
    /// </summary>
    internal static async Task<IResult> StreamAsync(HttpContext http, ApiContext api, IHostApplicationLifetime lifetime, JsonSerializerOptions options, PageReader read,
        CancellationToken cancellationToken, string eventName = "page")
    {
        var (page, problem) = await read(http, api, cancellationToken);
        if (page is null)
        {
            return problem!;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            var stream = await EventStream.StartAsync(http, api.Clock, stop.Token);
            var checkedAt = api.Clock.GetUtcNow();
            while (true)
            {
                await stream.SendIfChangedAsync(eventName, JsonSerializer.Serialize(page, options), stop.Token);
                await Task.Delay(PollInterval, api.Clock, stop.Token);
                if (api.Clock.GetUtcNow() - checkedAt >= ReauthenticateInterval)
                {
                    if (!await stream.StillAuthenticatedAsync())
                    {
                        await stream.EndAsync("unauthorized", stop.Token);
                        break;
                    }
                    checkedAt = api.Clock.GetUtcNow();
                }
                await stream.HeartbeatIfDueAsync(stop.Token);
                (page, _) = await read(http, api, stop.Token);
                if (page is null)
                {
                    // The query was read once already: what it followed is gone (a schedule or plan deleted).
                    await stream.EndAsync("gone", stop.Token);
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client left, or the server is stopping: the stream just ends (the client reconnects elsewhere).
        }
        return TypedResults.Empty;
    }
}
