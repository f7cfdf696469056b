using Orchestrator.GrainInterfaces;
using Orchestrator.Runtime.Grains;

namespace Orchestrator.Grains.Targets;

/// <summary>
/// A message of this target that could not be applied (it kept throwing, and was parked) ends the target's attempt as
/// failed, without retries, and its step hears of it as of any other end; a cancel that could not be applied ends it
/// as stopped. Only control flow here: what the target runs and reports is the other files' business.
/// </summary>
public sealed partial class HostTargetGrain
{
    public async Task OnDeadLetter(DeadLetterNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (State.Deleted)
        {
            return;
        }
        var error = $"{notice.Reminder ?? notice.Method} could not be applied ({notice.Error})";
        if (notice.Method == nameof(Start) && notice.Argument<StartTarget>() is { } start
            && (start.StepAttempt > State.StepAttempt || State.Run == 0) && start.StepAttempt > State.CancelledAttempt)
        {
            // The start left nothing behind: record a run that never reached an agent, failed, so the target reads so.
            State.StepKey = start.StepKey;
            State.Host = start.Host;
            State.StepAttempt = start.StepAttempt;
            State.RetriesUsed = 0;
            State.Outputs.Clear();
            State.Run++;
            var now = TimeProvider.GetUtcNow();
            State.Attempts.Add(new TargetAttempt(State.Run, State.StepAttempt, TargetStatus.Failed, null, now, null, now, $"could not start: {notice.Error}", null));
            await Report(TargetStatus.Failed, null, failStep: false);
            return;
        }
        if (State.Run == 0 || State.Status.IsFinal())
        {
            return; // no run open that the message could hold up
        }
        await Disarm(RetryReminder);
        var final = notice.Method == nameof(Cancel) || State.Status == TargetStatus.Stopping ? TargetStatus.Stopped : TargetStatus.Failed;
        await EndAttempt(new RunVerdict(final, MayRetry: false), null, error);
    }
}
