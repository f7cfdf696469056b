using Orchestrator.GrainInterfaces;
using Orchestrator.Grains.Requests;

namespace Orchestrator.Grains.Jobs;

/// <summary>State of a unique-job lock: the job holding it and since when.</summary>
public sealed class JobLockState : IRequestState
{
    public string? JobId { get; set; }

    /// <summary>The holder's schedule key when it is a periodic job.</summary>
    public string? Schedule { get; set; }

    public DateTimeOffset? ClaimedAt { get; set; }

    public RequestLog Requests { get; set; } = new();
}

/// <summary>
/// The jobs API's unique-job lock (Harbor's "unique" flag). One turn at a time makes claim-and-check atomic across
/// API nodes; whether the holder is still going is read from its task instance or schedule in the claiming turn, so a
/// lock never needs releasing when a job simply ends.
/// </summary>
[GrainType("joblock")]
public sealed class JobLockGrain : RequestGrain<JobLockState>, IJobLockGrain
{
    /// <summary>
    /// A holder whose instance or schedule does not exist this long after its claim is taken to have never started
    /// (its API node died between claim and start); its start command, if still on its way, no longer blocks others.
    /// </summary>
    internal static readonly TimeSpan StartGrace = TimeSpan.FromMinutes(10);

    public Task Claim(JobLockClaim command) => Once(command.RequestId, () => ClaimNow(command));

    private async Task ClaimNow(JobLockClaim command)
    {
        if (State.JobId is { } holder && holder != command.JobId && await HolderIsActive())
        {
            Answer(new RequestResult(command.RequestId, 409, $"Job '{holder}' with the same name and parameters is still going.", holder));
            return;
        }
        State.JobId = command.JobId;
        State.Schedule = command.Schedule;
        State.ClaimedAt = Clock.GetUtcNow();
        Answer(RequestResult.Done(command.RequestId, command.JobId));
    }

    public Task Release(JobLockRelease command) => Once(command.RequestId, () => ReleaseNow(command));

    private Task ReleaseNow(JobLockRelease command)
    {
        if (State.JobId == command.JobId)
        {
            State.JobId = null;
            State.Schedule = null;
            State.ClaimedAt = null;
        }
        Answer(RequestResult.Done(command.RequestId));
        return Task.CompletedTask;
    }

    private async Task<bool> HolderIsActive()
    {
        var lapsed = State.ClaimedAt is not { } claimed || Clock.GetUtcNow() - claimed > StartGrace;
        if (State.Schedule is { } schedule)
        {
            var view = await GrainFactory.GetGrain<IScheduleGrain>(schedule).GetAsync();
            return view is null ? !lapsed : !view.Deleted;
        }
        var instance = await GrainFactory.GetGrain<ITaskInstanceGrain>(State.JobId!).GetAsync();
        return instance is null ? !lapsed : !instance.Status.IsFinal();
    }

    public ValueTask<JobLockView?> GetAsync() =>
        ValueTask.FromResult<JobLockView?>(new JobLockView(GrainKey, State.JobId, State.Schedule, State.ClaimedAt));

    public ValueTask<RequestResult?> GetRequestResultAsync(string requestId) => FindRequestAsync(requestId);
}
