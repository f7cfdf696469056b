using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Telemetry;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parameters;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Instances;

public sealed partial class TaskInstanceGrain
{
    /// <summary>Starts step <paramref name="index"/> (or finishes the instance past the last step).</summary>
    private Task StartStepAt(int index, AttemptSet? retry)
    {
        var definition = State.Definition!;
        var next = StepSequence.NextToStart(State.Steps, index, retry);
        for (; index < next; index++)
        {
            State.Steps[index].Status = ExecutionStatus.Skipped;
            State.Steps[index].Reason = StepSequence.SkippedAhead;
            State.Steps[index].SkipRequested = false;
        }
        if (index >= State.Steps.Count)
        {
            return Finish(ExecutionStatus.Succeeded);
        }
        State.CurrentStep = index;
        var step = State.Steps[index];
        step.Attempt++;
        step.Status = ExecutionStatus.Running;
        step.Reason = null;
        var context = new StepContext(
            State.PlanId,
            State.Parameters,
            PlanParameters.SecretValues(definition, State.Parameters),
            Enumerable.Range(0, index).ToDictionary(i => definition.Steps[i].Name, i => State.Steps[i].Outputs),
            Enumerable.Range(0, index).ToDictionary(i => definition.Steps[i].Name, i => GrainKeys.Step(GrainKey, i)),
            index > 0 ? definition.Steps[index - 1].Name : null,
            Namespaces.Of(State.Namespace));
        return StepGrain(index).Start(new StartStep(GrainKey, index, step.Attempt, definition.Steps[index], context, retry, State.TraceParent));
    }

    private Task Finish(ExecutionStatus status, string? reason = null)
    {
        using var span = RunTrace.Start("orchestrator.instance.finish", State.TraceParent);
        span?.SetTag("orchestrator.instance", GrainKey);
        span?.SetTag("orchestrator.status", status.ToString());
        State.FinishedAt = Clock.GetUtcNow();
        State.Reason = reason;
        DisarmStopBackstop();
        SetStatus(status);
        if (State.Options.Schedule is { } schedule)
        {
            Send<IScheduleGrain>(schedule).OnRunFinished(new ScheduledRunFinished(GrainKey, status, State.FinishedAt.Value));
        }
        ArmRetention();
        return Task.CompletedTask;
    }

    private void SetStatus(ExecutionStatus status)
    {
        State.Status = status;
        State.Revision++;
        Telemetry.GrainMetrics.Instance(status);
        var definition = State.Definition!;
        var ns = Namespaces.Of(State.Namespace);
        var timeKey = IndexKinds.InstanceTimeKey(State.CreatedAt, GrainKey);
        if (State.IndexPartition != ns)
        {
            DeleteIndex(IndexKinds.Instance, State.IndexPartition ?? "", GrainKey); // the rows of before namespaces, if any
            DeleteIndex(IndexKinds.InstanceByTime, State.IndexPartition ?? "", timeKey);
            State.IndexPartition = ns;
        }
        var data = DomainJson.Serialize(new InstanceIndexData(State.PlanId, State.PlanVersion, definition.Name, status, State.CreatedAt, State.FinishedAt, State.By));
        WriteIndex(new IndexRow(IndexKinds.Instance, ns, GrainKey, (int)status, data));
        WriteIndex(new IndexRow(IndexKinds.InstanceByTime, ns, timeKey, (int)status, data));
        PublishStatus();
    }

    /// <summary>The step as a message target: calls on it go through this turn's outbox.</summary>
    private IStepGrain StepGrain(int index) => Send<IStepGrain>(GrainKeys.Step(GrainKey, index));

    private void Record(string action, int? step, string by, string? reason) =>
        State.Actions.Add(new ControlRecord(action, step, by, reason, Clock.GetUtcNow()));

    private Task Reply(string requestId, int code, string? error)
    {
        Answer(code == 200 ? RequestResult.Done(requestId) : RequestResult.Fail(requestId, code, error!));
        return Task.CompletedTask;
    }

    private Task Refuse(string requestId, Refusal refusal) => Reply(requestId, refusal.Code, refusal.Message);

    /// <summary>Refuses a command about a step of a run that does not exist, or a step it does not have.</summary>
    private bool CheckStep(string requestId, int stepIndex)
    {
        if ((State.Definition is null ? ControlRules.NotFound(GrainKey) : ControlRules.StepOutOfRange(stepIndex, State.Steps.Count)) is { } refusal)
        {
            Refuse(requestId, refusal);
            return false;
        }
        return true;
    }
}
