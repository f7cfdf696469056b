using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Durable;

namespace Orchestrator.Grains.Steps;

/// <summary>
/// A message of this step that could not be applied (it kept throwing, and was parked) ends the step's attempt with
/// the reason, and its instance hears of it as of any other end: a start that could not be applied fails the
/// attempt before any target was created; one that failed later stops the targets still open.
/// </summary>
public sealed partial class StepGrain
{
    public async Task OnDeadLetter(DeadLetterNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (State.Deletion is not null)
        {
            return; // deleting: nothing runs, and a failed chunk is listed among the dead letters
        }
        var error = $"{notice.Reminder ?? notice.Method} could not be applied ({notice.Error})";
        if (notice.Method == nameof(Start) && notice.Argument<StartStep>() is { } start && start.Attempt > State.Attempt)
        {
            // The attempt never started (its turn left nothing behind): it fails, and a resend of its start is refused.
            State = new StepState
            {
                Key = GrainKey,
                InstanceId = start.InstanceId,
                StepIndex = start.StepIndex,
                Definition = start.Definition,
                Context = start.Context,
                Attempt = start.Attempt,
                StartedAt = Clock.GetUtcNow(),
                Reason = $"could not start: {notice.Error}",
            };
            await Finalize(ExecutionStatus.Failed);
            return;
        }
        if (State.Definition is null || State.Status.IsFinal())
        {
            return; // no attempt runs that the message could hold up
        }
        var final = State.Stopping ? State.PendingFinal : notice.Method is nameof(Cancel) ? ExecutionStatus.Cancelled : ExecutionStatus.Failed;
        State.Reason = State.Stopping && State.Reason is { } stopping ? $"{stopping}; {error}" : $"could not go on: {error}";
        CancelOpenTargets(TargetStatus.Cancelled, killRunning: true);
        await Finalize(final);
    }
}
