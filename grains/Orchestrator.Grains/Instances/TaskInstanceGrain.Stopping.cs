using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Common;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Grains.Instances;

/// <summary>
/// A cancel or stop always ends the run. The running step is told and the run ends when it confirms; if it has not
/// confirmed within <see cref="StopConfirmationTimeout"/> (a step that never started, or one that cannot apply
/// messages), the run ends anyway, with a reason saying so, and the step's late report is ignored.
/// </summary>
public sealed partial class TaskInstanceGrain
{
    private const string StopReminder = "stop-backstop";

    /// <summary>
    /// How long a stopping run waits for its step to confirm. A healthy step confirms once its running targets have
    /// confirmed the kill, which they do within <c>HostTargetGrain.ReportGrace</c> (30 s) or end as stopped; this is
    /// well past that, so that it only ever ends a step that will not answer.
    /// </summary>
    internal static readonly TimeSpan StopConfirmationTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Tells the running step to stop, and arms the backstop unless it is armed already.</summary>
    private void RequestStop(string reason)
    {
        StepGrain(State.CurrentStep).Cancel(reason);
        if (State.StopRequestedAt is not null)
        {
            return;
        }
        State.StopRequestedAt = TimeProvider.GetUtcNow();
        _ = RegisterOrUpdateReminder(StopReminder, StopConfirmationTimeout, OneShot.Period);
    }

    private void DisarmStopBackstop()
    {
        if (State.StopRequestedAt is not null)
        {
            State.StopRequestedAt = null;
            _ = UnregisterReminder(StopReminder);
        }
    }

    /// <summary>The backstop: the run is still stopping, so its step never confirmed; end the run without it.</summary>
    private void EndUnconfirmedStop()
    {
        if (State.Status != ExecutionStatus.Stopping || State.Definition is not { } definition)
        {
            return;
        }
        var name = definition.Steps[State.CurrentStep].Name;
        var step = State.Steps[State.CurrentStep];
        var unconfirmed = $"step '{name}' did not confirm within {DurationFormat.Format(StopConfirmationTimeout)}";
        if (!step.Status.IsFinal())
        {
            step.Status = State.EndAs;
            step.Reason = $"{unconfirmed}; ended without its confirmation";
        }
        Record("stop-unconfirmed", State.CurrentStep, RuntimeActor, unconfirmed);
        Finish(State.EndAs, $"{State.Reason ?? EnumText.Camel(State.EndAs)}; {unconfirmed}, so the run ended without it");
    }

    /// <summary>Who the instance records as acting when it ends a run on its own (a backstop, a parked message).</summary>
    internal const string RuntimeActor = "orchestrator";
}
