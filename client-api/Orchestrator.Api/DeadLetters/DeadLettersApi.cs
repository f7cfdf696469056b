using Orchestrator.Api.Common;
using Orchestrator.Api.Instances;
using Orchestrator.Runtime.Persistence.DeadLetters;

namespace Orchestrator.Api.DeadLetters;

/// <summary>
/// Messages between grains that kept failing and were parked (ARCHITECTURE G7): <c>GET /api/v1/dead-letters</c> lists
/// them oldest first (<c>after</c> = the last id seen, <c>limit</c>), <c>POST /api/v1/dead-letters/{id}/replay</c>
/// delivers one again through Orleans under its dedupe key (a receiver that did apply it skips it) and removes it. A run's
/// own are also listed with it (<c>deadLetters</c> of <c>GET /api/v1/task-instances/{id}</c>). Arguments are never shown.
/// </summary>
public static class DeadLettersApi
{
    public static IEndpointRouteBuilder MapDeadLettersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/dead-letters").WithTags("Dead letters");
        group.MapGet("/", List);
        group.MapPost("/{id}/replay", Replay);
        return routes;
    }

    private static async Task<Results<Ok<Page<Instances.DeadLetterView>>, ProblemHttpResult>> List(HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var after = query.Whole("after", 0, long.MaxValue) ?? 0;
        var size = query.Limit(api.Options.MaxPageSize);
        if (query.Problem() is { } bad)
        {
            return bad;
        }
        var rows = await api.Client.DeadLetters.ListAsync(after, size, cancellationToken);
        return TypedResults.Ok(new Page<Instances.DeadLetterView>(
            [.. rows.Select(InstanceDeadLetters.View)],
            rows.Count == size ? rows[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    private static async Task<Results<Ok<DeadLetterReplayed>, ProblemHttpResult>> Replay(string id, ApiContext api, CancellationToken cancellationToken)
    {
        if (!QueryValues.TryWhole(id, 1, long.MaxValue, out var messageId))
        {
            return Problems.Field("id", $"{Quote.Of(id)} is not a dead letter id (a whole number from 1).");
        }
        ReplayOutcome outcome;
        try
        {
            outcome = await DeadLetterReplay.ReplayAsync(api.Client.Grains, api.Client.DeadLetters, messageId, cancellationToken);
        }
        catch (Runtime.Durable.InvalidOutboxCallException ex)
        {
            return TypedResults.Problem(title: "Conflicts with the current state.", statusCode: StatusCodes.Status409Conflict,
                detail: $"Dead letter {messageId} cannot be delivered as stored: {ex.Message}");
        }
        catch (Exception ex) when (!ProblemHandling.IsClusterUnavailable(ex) && !cancellationToken.IsCancellationRequested)
        {
            // The grain threw again, as when it was parked: the letter stays, and the answer says what it threw.
            return TypedResults.Problem(title: "Conflicts with the current state.", statusCode: StatusCodes.Status409Conflict,
                detail: $"Dead letter {messageId} was delivered again and failed again; it stays parked: {ex.GetType().FullName}: {ex.Message}");
        }
        return outcome switch
        {
            ReplayOutcome.Delivered => TypedResults.Ok(new DeadLetterReplayed(messageId, true)),
            ReplayOutcome.NotFound => Problems.NotFound($"No dead letter {messageId} (never parked, or replayed already)."),
            _ => TypedResults.Problem(title: "Conflicts with the current state.", statusCode: StatusCodes.Status409Conflict,
                detail: $"Dead letter {messageId} is a wake-up of its grain's own; it cannot be fired from outside (the grain was told when it was parked)."),
        };
    }
}
