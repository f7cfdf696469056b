using Orchestrator.GrainInterfaces;

namespace Orchestrator.Grains.Targets;

/// <summary>What host and container targets decide alike about a cancel and a deletion; the grains apply the rest.</summary>
internal static class TargetStateRules
{
    /// <summary>
    /// How a cancel of <paramref name="stepAttempt"/> applies. <see cref="CancelCase.NotStarted"/>: its start has not
    /// arrived (it never will, or it is behind this message), so the attempt is recorded cancelled with
    /// <paramref name="notStartedStatus"/> and the start is refused when it comes; the grain writes its row.
    /// <see cref="CancelCase.Ignored"/>: deleted, an older attempt, or already ending. <see cref="CancelCase.Running"/>:
    /// the grain stops its run.
    /// </summary>
    public static CancelCase Cancel(TargetState state, int stepAttempt, TargetStatus notStartedStatus)
    {
        if (state.Deleted)
        {
            return CancelCase.Ignored; // a cancel of a target never started, arriving after its step was deleted
        }
        if (stepAttempt > state.StepAttempt || state.Run == 0)
        {
            state.CancelledAttempt = Math.Max(state.CancelledAttempt, stepAttempt);
            state.Status = notStartedStatus;
            return CancelCase.NotStarted;
        }
        return stepAttempt < state.StepAttempt || state.Status.IsFinal() || state.Status == TargetStatus.Stopping ? CancelCase.Ignored : CancelCase.Running;
    }

    /// <summary>
    /// The tombstone a deleted target keeps in place of <paramref name="state"/>: only what makes late messages
    /// harmless (its step, attempts, status), in <paramref name="tombstone"/> (which carries the kind's own name field).
    /// </summary>
    public static T Tombstone<T>(TargetState state, T tombstone)
        where T : TargetState
    {
        tombstone.StepKey = state.StepKey;
        tombstone.StepAttempt = state.StepAttempt;
        tombstone.CancelledAttempt = state.CancelledAttempt;
        tombstone.Status = state.Status;
        tombstone.Deleted = true;
        return tombstone;
    }
}

/// <summary>How a cancel applies to a target (<see cref="TargetStateRules.Cancel"/>).</summary>
internal enum CancelCase
{
    Ignored,
    NotStarted,
    Running,
}
