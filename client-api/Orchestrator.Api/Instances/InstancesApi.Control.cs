using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Instances;

public static partial class InstancesApi
{
    /// <summary>Body of control actions: why (recorded with who and when), and for retries which targets.</summary>
    public sealed record ControlRequest(string? Reason, string? Set);

    private static async Task<IResult> Cancel(string id, ControlRequest? request, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        var grain = Instance(client, id);
        var requestId = CommandWaiter.NewRequestId();
        await grain.Cancel(new InstanceControl(requestId, Caller.Of(http), request?.Reason));
        return Problems.FromResult(await api.Waiter.WaitAsync(() => grain.GetRequestResultAsync(requestId), cancellationToken),
            _ => TypedResults.Ok(new { id, action = "cancel" }));
    }

    /// <summary>
    /// Deletes a finished instance with its targets and logs: 204, also for one already deleted; 409 while it runs.
    /// The instance is gone from reads at once; its steps' rows and logs follow in the background.
    /// </summary>
    private static async Task<IResult> Delete(string id, string? reason, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var grain = Instance(api.Client, id);
        var requestId = CommandWaiter.NewRequestId();
        await grain.Delete(new DeleteInstance(requestId, Caller.Of(http), reason));
        return Problems.FromResult(await api.Waiter.WaitAsync(() => grain.GetRequestResultAsync(requestId), cancellationToken),
            _ => TypedResults.NoContent());
    }

    private static async Task<IResult> StepAction(string id, int step, string action, ControlRequest? request, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var client = api.Client;
        var grain = Instance(client, id);
        if (await grain.GetAsync() is null)
        {
            return Problems.NotFound($"No task instance '{id}'.");
        }
        var requestId = CommandWaiter.NewRequestId();
        var by = Caller.Of(http);
        var reason = request?.Reason;
        switch (action)
        {
            case "skip":
                await grain.SkipStep(new StepControl(requestId, step, by, reason));
                break;
            case "continue":
                await grain.ContinueStep(new StepControl(requestId, step, by, reason));
                break;
            case "approve" or "reject":
                await grain.Decide(new ApprovalDecision(requestId, step, by, action == "approve", reason));
                break;
            case "retry":
                var setText = request?.Set ?? "failed";
                if (!Enum.TryParse<AttemptSet>(setText.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var set))
                {
                    return Problems.Field("set", $"'{setText}' is not an attempt set; use failed, not-started or all.");
                }
                await grain.RetryStep(new RetryStep(requestId, step, set, by));
                break;
            default:
                return Problems.Field("action", $"'{action}' is not a step action; use skip, continue, approve, reject or retry.");
        }
        return Problems.FromResult(await api.Waiter.WaitAsync(() => grain.GetRequestResultAsync(requestId), cancellationToken),
            _ => TypedResults.Ok(new { id, step, action }));
    }
}
