using System.Text.Json.Nodes;
using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;

namespace Orchestrator.Grains.Instances;

public sealed partial class TaskInstanceGrain
{
    /// <summary>Queues the current status for the run's hook, if it has one (same commit as the status change).</summary>
    private void PublishStatus()
    {
        if (State.Options.Hook is not { } hook)
        {
            return;
        }
        var now = TimeProvider.GetUtcNow();
        var body = State.Options.HookFormat == HookFormat.Harbor ? HarborBody(now) : OwnBody(now);
        GrainFactory.GetGrain<IStatusHookGrain>(HookSubjects.Instance(GrainKey))
            .Publish(new HookEvent(hook, State.Revision, body.ToJsonString(), now));
    }

    private JsonObject OwnBody(DateTimeOffset now)
    {
        var definition = State.Definition!;
        var steps = new JsonArray();
        for (var i = 0; i < State.Steps.Count; i++)
        {
            var step = new JsonObject
            {
                ["index"] = i,
                ["name"] = definition.Steps[i].Name,
                ["status"] = EnumText.Camel(State.Steps[i].Status),
                ["attempt"] = State.Steps[i].Attempt,
            };
            if (State.Steps[i].Reason is { } reason)
            {
                step["reason"] = reason;
            }
            steps.Add(step);
        }
        var body = new JsonObject
        {
            ["type"] = "taskInstance.status",
            ["id"] = GrainKey,
            ["revision"] = State.Revision,
            ["status"] = EnumText.Camel(State.Status),
            ["planId"] = State.PlanId,
            ["planVersion"] = State.PlanVersion,
            ["planName"] = definition.Name,
            ["currentStep"] = State.CurrentStep,
            ["at"] = now,
            ["createdAt"] = State.CreatedAt,
            ["startedAt"] = State.StartedAt,
            ["finishedAt"] = State.FinishedAt,
            ["steps"] = steps,
        };
        if (State.Options.Schedule is { } schedule)
        {
            body["schedule"] = schedule;
            body["dueTime"] = State.Options.DueTime;
        }
        if (State.Options.Labels.Count > 0)
        {
            body["labels"] = new JsonObject(State.Options.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        }
        return body;
    }

    /// <summary>Harbor's job service hook body: job_id, status, check_in and the job's stats as metadata.</summary>
    private JsonObject HarborBody(DateTimeOffset now)
    {
        var labels = State.Options.Labels;
        var status = JobLabels.Status(State.Status);
        var metadata = new JsonObject
        {
            ["id"] = GrainKey,
            ["name"] = labels.GetValueOrDefault(JobLabels.Name, State.PlanId),
            ["kind"] = labels.GetValueOrDefault(JobLabels.Kind, "Generic"),
            ["unique"] = labels.GetValueOrDefault(JobLabels.Unique) == "true",
            ["status"] = status,
            ["ref_link"] = $"/api/v1/jobs/{GrainKey}",
            ["enqueue_time"] = State.CreatedAt.ToUnixTimeSeconds(),
            ["update_time"] = now.ToUnixTimeSeconds(),
            ["run_at"] = (State.Options.NotBefore ?? State.StartedAt ?? State.CreatedAt).ToUnixTimeSeconds(),
            ["revision"] = State.Revision,
        };
        if (labels.GetValueOrDefault(JobLabels.Upstream) is { } upstream)
        {
            metadata["upstream_job_id"] = upstream;
        }
        return new JsonObject
        {
            ["job_id"] = GrainKey,
            ["status"] = status,
            ["revision"] = State.Revision,
            ["metadata"] = metadata,
        };
    }
}
