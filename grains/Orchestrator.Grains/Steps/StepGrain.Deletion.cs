using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Indexes;

namespace Orchestrator.Grains.Steps;

public sealed partial class StepGrain
{
    /// <summary>
    /// Index rows deleted (and host targets told) per turn: a step may have 100,000 targets, and one turn is one
    /// commit, so deleting goes a chunk at a time with a message to itself in between.
    /// </summary>
    internal const int DeleteChunkSize = 1000;

    public async Task Delete(int chunk)
    {
        if (chunk == 0 && State.Deletion is null)
        {
            if (State.Definition is not null && !State.Status.IsFinal())
            {
                return; // only a finished instance is deleted, and its steps are final: never touch a running step
            }
            State.Deletion = new StepDeletion();
        }
        if (State.Deletion is not { Done: false } deletion || chunk != deletion.Chunk)
        {
            return; // a resend of a chunk done, or a step deleted already
        }
        await DeleteChunkAsync(deletion);
        if (!deletion.Done)
        {
            deletion.Chunk++;
            await Send<IStepGrain>(GrainKey).Delete(deletion.Chunk);
            return;
        }
        DisarmAllWakeUps();
        // A tombstone: the attempt (so a late start of an old attempt stays refused) and the final status.
        State = new StepState
        {
            Key = State.Key,
            InstanceId = State.InstanceId,
            StepIndex = State.StepIndex,
            Attempt = State.Attempt,
            Status = State.Status,
            StartedAt = State.StartedAt,
            FinishedAt = State.FinishedAt,
            Deletion = deletion,
        };
    }

    /// <summary>Deletes up to <see cref="DeleteChunkSize"/> rows, going on to the next partition when one runs out.</summary>
    private async Task DeleteChunkAsync(StepDeletion deletion)
    {
        var budget = DeleteChunkSize;
        while (budget > 0 && !deletion.Done)
        {
            var targets = deletion.Attempt == 0;
            var (kind, partition) = targets ? (IndexKinds.Target, GrainKey) : (IndexKinds.StepTarget, State.TargetPartition(deletion.Attempt));
            var rows = await Indexes.QueryAsync(new IndexQuery(kind, [partition]) { AfterKey = deletion.After, Limit = budget, KeysOnly = true });
            foreach (var row in rows)
            {
                DeleteIndex(kind, partition, row.Key);
                if (targets)
                {
                    await Send(TargetGrain(row.Key)).Delete();
                }
            }
            if (targets)
            {
                deletion.TargetsDeleted += rows.Count;
            }
            budget -= rows.Count;
            if (budget > 0)
            {
                // The partition ran out before the budget: on to the next attempt's positions, or done.
                deletion.Attempt++;
                deletion.After = null;
                deletion.Done = deletion.Attempt > State.Attempt;
            }
            else
            {
                deletion.After = rows[^1].Key;
            }
        }
    }
}
