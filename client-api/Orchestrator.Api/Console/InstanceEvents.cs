using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.WebConsole; // not ".Console": that would hide System.Console in the whole assembly

/// <summary>
/// <c>GET /api/v1/task-instances/{id}/events</c> (<c>text/event-stream</c>): the run's live view
/// (<see cref="InstanceSnapshot"/>) as server-sent events. The server reads the run every
/// <see cref="PollInterval"/> and sends an <c>instance</c> event only when what it shows changed, a heartbeat
/// (<see cref="EventStream"/>), and ends with an <c>end</c> event once the run is final and its last
/// state was sent. Each event's id is a digest of its data: a client reconnecting with <c>Last-Event-ID</c> gets
/// nothing until the run changes. A viewer's read (every GET is).
/// </summary>
public static class InstanceEvents
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static IEndpointRouteBuilder MapInstanceEvents(this IEndpointRouteBuilder callers)
    {
        callers.MapGet("/api/v1/task-instances/{id}/events", Stream).WithTags("Task instances")
            .WithMetadata(new Hosting.AlsoAnswers(200, "text/event-stream", "Server-sent events: `instance` (the run as it changed), `end` once it is final."))
            .GuardInstance(); // an instance of a namespace the caller may not read is absent here too
        return callers;
    }

    private static async Task<IResult> Stream(string id, HttpContext http, ApiContext api, IHostApplicationLifetime lifetime,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken)
    {
        if ((Ids.Check("id", id) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var snapshot = new InstanceSnapshot(api.Client, id);
        var first = await snapshot.ReadAsync(cancellationToken);
        if (first is null)
        {
            return Problems.NotFound($"No task instance '{id}'.");
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var options = json.Value.SerializerOptions;
        var current = first.Value;
        try
        {
            var stream = await EventStream.StartAsync(http, api.Clock, stop.Token);
            while (true)
            {
                await stream.SendIfChangedAsync("instance", JsonSerializer.Serialize(current.Body, options), stop.Token);
                if (current.Status.IsFinal())
                {
                    await stream.EndAsync("end", stop.Token);
                    break;
                }
                await Task.Delay(PollInterval, api.Clock, stop.Token);
                await stream.HeartbeatIfDueAsync(stop.Token);
                var next = await snapshot.ReadAsync(stop.Token);
                if (next is null)
                {
                    await stream.EndAsync("gone", stop.Token);
                    break;
                }
                current = next.Value;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client left, or the server is stopping: the stream just ends (the client reconnects elsewhere).
        }
        return TypedResults.Empty;
    }
}
