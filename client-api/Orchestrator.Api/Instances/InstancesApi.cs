using Orchestrator.Api.Common;
using Orchestrator.Api.Identity;
using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Api.Instances;

/// <summary>/api/v1/task-instances: read runs with per-step counts, list targets by status, read logs, and control.</summary>
public static partial class InstancesApi
{
    public static RouteGroupBuilder MapInstancesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/task-instances").WithTags("Task instances");
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        // Step indexes are read as text, so that "-1" or "x" is a 400 naming step rather than an unmatched route.
        group.MapGet("/{id}/steps/{step}/targets", Targets);
        group.MapGet("/{id}/steps/{step}/groups", Groups);
        group.MapGet("/{id}/steps/{step}/targets/{host}", Target);
        group.MapGet("/{id}/steps/{step}/targets/{host}/log", Log).WithMetadata(new Hosting.AlsoAnswers(200, "text/plain", "With format=text: the chunks' text."));
        group.MapPost("/{id}/cancel", Cancel).WithMetadata(InstanceRequests.Cancel);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/steps/{step}/{action}", StepAction).WithMetadata(InstanceRequests.StepAction);
        group.GuardInstance();
        return group;
    }

    /// <summary>A status by its documented name, in any case; numbers and comma lists are not names.</summary>
    internal static bool TryStatus<TEnum>(string text, out TEnum status) where TEnum : struct, Enum
    {
        status = default;
        return Enum.GetNames<TEnum>().FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } name
            && Enum.TryParse(name, out status);
    }

    internal static string StatusNames<TEnum>() where TEnum : struct, Enum =>
        string.Join(", ", Enum.GetNames<TEnum>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));

    private static async Task<Results<Ok<InstanceReply>, ProblemHttpResult>> Get(string id, HttpContext http, ApiContext api, CancellationToken cancellationToken)
    {
        if ((Ids.Check("id", id) ?? new QueryValues(http).Problem()) is { } bad)
        {
            return bad;
        }
        var client = api.Client;
        var view = await client.GetGrain<ITaskInstanceGrain>(id).GetAsync();
        if (view is null)
        {
            return Problems.NotFound($"No task instance '{id}'.");
        }
        var steps = new List<StepReply>();
        foreach (var step in view.Steps)
        {
            var counts = await client.Indexes.CountByStatusAsync(IndexKinds.Target, GrainKeys.Step(id, step.Index), cancellationToken);
            // The rolling batch lives in the step grain; a step not started has none (and asking would activate its grain).
            var rollout = step.Status == ExecutionStatus.Pending ? null : await client.GetGrain<IStepGrain>(GrainKeys.Step(id, step.Index)).GetAsync();
            steps.Add(new StepReply(step.Index, step.Name, step.Kind, step.Status, step.Attempt, step.Reason, step.Outputs,
                counts.ToDictionary(c => JsonName((TargetStatus)c.Key), c => c.Value), rollout?.Batch, rollout?.BatchCount));
        }
        var deadLetters = await InstanceDeadLetters.ListAsync(client, id, cancellationToken);
        return TypedResults.Ok(new InstanceReply(view.Id, view.Namespace, view.PlanId, view.PlanVersion, view.PlanName, view.Status, view.CurrentStep, view.Parameters,
            view.CreatedAt, view.StartedAt, view.FinishedAt, view.NotBefore, view.Schedule, view.DueTime,
            view.Labels.Count > 0 ? ShownLabels(view.Labels) : null, view.Revision, view.Reason, view.By, steps, view.Actions,
            deadLetters.Count > 0 ? deadLetters : null));
    }

    /// <summary>The labels as shown: a jobs API run's hook URL (stored whole by older versions) redacted.</summary>
    private static IReadOnlyDictionary<string, string> ShownLabels(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue(Jobs.JobsApi.HookLabel, out var hook)
            ? labels.ToDictionary(l => l.Key, l => l.Key == Jobs.JobsApi.HookLabel ? HookUrls.Redact(hook) : l.Value, StringComparer.Ordinal)
            : labels;

    private static string JsonName(TargetStatus status)
    {
        var name = status.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    internal static ITaskInstanceGrain Instance(GrainClient client, string id) => client.GetGrain<ITaskInstanceGrain>(id);
}
