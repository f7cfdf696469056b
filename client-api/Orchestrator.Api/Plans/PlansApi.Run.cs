using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;
using Orchestrator.Plans.Parameters;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Api.Plans;

public static partial class PlansApi
{
    /// <summary>
    /// The body of <c>POST /api/v1/plans/{id}/run</c> (optional): <c>parameters</c> (names to strings), <c>version</c>,
    /// <c>at</c> (RFC 3339 with an offset) or <c>delay</c> (<c>90s</c>, <c>5m</c>, <c>1h30m</c>) for a delayed run, and
    /// <c>statusHook</c>. Any other field is refused.
    /// </summary>
    internal sealed record RunRequest(IReadOnlyDictionary<string, string> Parameters, int? Version, RunOptions Options);

    /// <summary>Reads and checks the run body; every error names its field.</summary>
    internal static (RunRequest? Request, List<FieldError> Errors) ReadRun(JsonFields body, DateTimeOffset now)
    {
        var parameters = body.Parameters("parameters");
        var version = body.Int("version", 1, int.MaxValue);
        var at = body.Time("at");
        var delayText = body.String("delay", 64);
        var hook = Hooks.HooksApi.Read(body, "statusHook");
        body.RefuseUnknown();

        var options = new RunOptions { Hook = hook };
        if (at is not null && delayText is not null)
        {
            body.Add("delay", "Give either at or delay, not both.");
        }
        else if (at is { } time)
        {
            if (time - now > ApiLimits.MaxDelay)
            {
                body.Add("at", $"'{time:O}' is more than {ApiLimits.MaxDelay.TotalDays:0} days ahead.");
            }
            options = options with { NotBefore = time.ToUniversalTime() };
        }
        else if (delayText is not null)
        {
            if (!DurationFormat.TryParse(delayText, out var delay) || delay < TimeSpan.Zero || delay > ApiLimits.MaxDelay)
            {
                body.Add("delay", $"{Quote.Of(delayText)} is not a duration from 0s to {ApiLimits.MaxDelay.TotalDays:0}d, such as 90s, 5m or 1h30m.");
            }
            else
            {
                options = options with { Delay = delay };
            }
        }
        return body.Errors.Count > 0 ? (null, body.Errors) : (new RunRequest(parameters ?? [], version, options), body.Errors);
    }

    private static async Task<Results<Accepted<RunAccepted>, ProblemHttpResult>> Run(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((Ids.Check("id", id) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        using var body = await JsonBody.ReadAsync(http, required: false, cancellationToken);
        if (body.Error is { } bodyError)
        {
            return Problems.From(bodyError);
        }
        var (request, errors) = ReadRun(JsonFields.Of(body.Root), api.Clock.GetUtcNow());
        if (request is null)
        {
            return Problems.Validation(errors);
        }
        var grain = api.Client.GetGrain<IPlanGrain>(id);
        var view = await grain.GetAsync(request.Version);
        if (view is null)
        {
            return Problems.NotFound(request.Version is { } v ? $"Plan '{id}' has no version {v}." : $"No plan '{id}'.");
        }
        var (values, parameterErrors) = PlanParameters.Resolve(view.Definition, request.Parameters);
        if (parameterErrors.Count > 0)
        {
            return Problems.Validation(parameterErrors.Select(e => new FieldError(e.Path, e.Message)), "The parameters are invalid.");
        }
        var requestId = CommandWaiter.RequestId(http);
        var instanceId = IdempotencyKey.NewId(http, requestId, "instance");
        var result = await api.Waiter.SendAsync(grain.Run(new RunPlan(requestId, instanceId, view.Version, values, Caller.Of(http), request.Options)),
            () => grain.GetRequestResultAsync(requestId), cancellationToken);
        // Not applied within the wait (no result): the command is stored and will start the instance; its id is already known.
        return result is { Ok: false }
            ? Problems.Failure(result)
            : TypedResults.Accepted($"/api/v1/task-instances/{instanceId}", new RunAccepted(instanceId, id, view.Version, view.Namespace));
    }
}
