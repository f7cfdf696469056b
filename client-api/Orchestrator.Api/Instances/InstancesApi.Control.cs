using Orchestrator.Api.Common;
using Orchestrator.GrainInterfaces;

namespace Orchestrator.Api.Instances;

public static partial class InstancesApi
{
    private static readonly string[] StepActions = ["skip", "continue", "approve", "reject", "retry"];

    /// <summary>
    /// The optional body of a control action: <c>reason</c> (recorded with who and when; at most
    /// <see cref="ApiLimits.MaxReasonLength"/> characters), and for a retry <c>set</c> instead. Other fields are refused.
    /// </summary>
    private static async Task<(string? Reason, string? Set, ProblemHttpResult? Error)> ReadControlAsync(HttpContext http, bool takesSet, CancellationToken cancellationToken)
    {
        using var body = await JsonBody.ReadAsync(http, required: false, cancellationToken);
        if (body.Error is { } error)
        {
            return (null, null, Problems.From(error));
        }
        var fields = JsonFields.Of(body.Root);
        var reason = takesSet ? null : fields.String("reason", ApiLimits.MaxReasonLength);
        var set = takesSet ? fields.String("set", 32) : null;
        fields.RefuseUnknown();
        if (reason is not null && HasControlOtherThanLineBreaks(reason))
        {
            fields.Add("reason", "Holds control characters other than tabs and line breaks.");
        }
        return fields.Errors.Count > 0 ? (null, null, Problems.Validation(fields.Errors)) : (reason, set, null);
    }

    private static bool HasControlOtherThanLineBreaks(string text) => text.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r'));

    private static async Task<Results<Ok<InstanceActionReply>, AcceptedProblem, ProblemHttpResult>> Cancel(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((Ids.Check("id", id) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var (reason, _, error) = await ReadControlAsync(http, takesSet: false, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var grain = Instance(api.Client, id);
        var requestId = CommandWaiter.RequestId(http);
        var result = await api.Waiter.SendAsync(grain.Cancel(new InstanceControl(requestId, Caller.Of(http), reason)), () => grain.GetRequestResultAsync(requestId), cancellationToken);
        if (result is null)
        {
            return Problems.Accepted($"/api/v1/task-instances/{id}");
        }
        return result.Ok ? TypedResults.Ok(new InstanceActionReply(id, "cancel")) : Problems.Failure(result);
    }

    /// <summary>
    /// Deletes a finished instance with its targets and logs: 204, also for one already deleted; 409 while it runs.
    /// The instance is gone from reads at once; its steps' rows and logs follow in the background.
    /// </summary>
    private static async Task<Results<NoContent, AcceptedProblem, ProblemHttpResult>> Delete(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        var query = new QueryValues(http);
        var reason = query.Text("reason", ApiLimits.MaxReasonLength);
        if ((Ids.Check("id", id) ?? query.Problem()) is { } bad)
        {
            return bad;
        }
        var grain = Instance(api.Client, id);
        var requestId = CommandWaiter.RequestId(http);
        var result = await api.Waiter.SendAsync(grain.Delete(new DeleteInstance(requestId, Caller.Of(http), reason)), () => grain.GetRequestResultAsync(requestId), cancellationToken);
        if (result is null)
        {
            return Problems.Accepted($"/api/v1/task-instances/{id}");
        }
        return result.Ok ? TypedResults.NoContent() : Problems.Failure(result);
    }

    private static async Task<Results<Ok<StepActionReply>, AcceptedProblem, ProblemHttpResult>> StepAction(string id, string step, string action, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((CheckStepPath(id, step, null, out var index) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        if (!StepActions.Contains(action, StringComparer.Ordinal))
        {
            return Problems.Field("action", $"{Quote.Of(action)} is not a step action; use {string.Join(", ", StepActions)}.");
        }
        var (reason, setText, error) = await ReadControlAsync(http, takesSet: action == "retry", cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var set = AttemptSet.Failed;
        if (setText is not null && !TryStatus(setText.Replace("-", "", StringComparison.Ordinal), out set))
        {
            return Problems.Field("set", $"{Quote.Of(setText)} is not an attempt set; use failed, not-started or all.");
        }
        var grain = Instance(api.Client, id);
        if (await grain.GetAsync() is null)
        {
            return Problems.NotFound($"No task instance '{id}'.");
        }
        var requestId = CommandWaiter.RequestId(http);
        var by = Caller.Of(http);
        var command = action switch
        {
            "skip" => grain.SkipStep(new StepControl(requestId, index, by, reason)),
            "continue" => grain.ContinueStep(new StepControl(requestId, index, by, reason)),
            "approve" or "reject" => grain.Decide(new ApprovalDecision(requestId, index, by, action == "approve", reason,
                Identity.CallerClaims.GrantsOf(http.User).EffectiveRoleNames(Identity.NamespaceGuard.Of(http) ?? Identity.Roles.DefaultNamespace))), // roles on the instance's namespace
            _ => grain.RetryStep(new RetryStep(requestId, index, set, by)),
        };
        var result = await api.Waiter.SendAsync(command, () => grain.GetRequestResultAsync(requestId), cancellationToken);
        if (result is null)
        {
            return Problems.Accepted($"/api/v1/task-instances/{id}");
        }
        return result.Ok ? TypedResults.Ok(new StepActionReply(id, index, action)) : Problems.Failure(result);
    }
}
