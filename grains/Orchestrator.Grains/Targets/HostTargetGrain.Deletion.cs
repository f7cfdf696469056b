using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Targets;

public sealed partial class HostTargetGrain
{
    public async Task Delete()
    {
        if (State.Deleted)
        {
            return;
        }
        DisarmAllWakeUps();
        var (stepKey, name) = GrainKeys.SplitTarget(GrainKey);
        DeleteIndex(IndexKinds.Target, stepKey, name);
        if (State.GroupRow is { } groupRow)
        {
            DeleteIndex(IndexKinds.TargetGroup, groupRow, name);
        }
        if (State.Run > 0)
        {
            // Gone when the run ended; deleted again in case it had not (deleting a missing row does nothing).
            DeleteIndex(IndexKinds.Assignment, State.Host, GrainKeys.Assignment(GrainKey, State.Run));
        }
        // Outside this turn's commit: if the commit fails, the retried turn deletes again and finds nothing.
        // Every run's stream (GrainKeys.LogStream: this key, '#', the run); the '#' keeps "web-1" from taking "web-10".
        await Logs.DeleteStreamsAsync(GrainKey + "#");
        State = TargetStateRules.Tombstone(State, new HostTargetState { Host = State.Host });
    }
}
