using Orleans.Concurrency;

namespace Orchestrator.GrainInterfaces;

/// <summary>
/// The jobs API's unique-job lock, key: a hash of a job's name and canonical parameters (see
/// <c>JobsApi</c>). It records which job holds it; a claim by another job is refused while the holder is not final
/// (its task instance, or for a periodic job its schedule, is read in the claiming turn), so two API nodes cannot both
/// start the same unique job. The outcome of a claim is read back with <see cref="GetRequestResultAsync"/>.
/// </summary>
public interface IJobLockGrain : IGrainWithStringKey
{
    /// <summary>Takes the lock for a job; 409 (the value names the holder) while another job holds it and is not final.</summary>
    Task Claim(JobLockClaim command);

    /// <summary>Gives the lock up if this job holds it (its start failed, or a periodic job was stopped).</summary>
    Task Release(JobLockRelease command);

    [ReadOnly]
    ValueTask<JobLockView?> GetAsync();

    [ReadOnly]
    ValueTask<RequestResult?> GetRequestResultAsync(string requestId);
}

/// <summary>
/// A claim. <see cref="Schedule"/>: the schedule key when the job is periodic (the lock is held while the schedule
/// exists); null for a job that is a task instance with the job's id.
/// </summary>
[GenerateSerializer]
public sealed record JobLockClaim(string RequestId, string JobId, string? Schedule, string By);

[GenerateSerializer]
public sealed record JobLockRelease(string RequestId, string JobId, string By);

/// <summary>The current holder; ClaimedAt lets a holder whose start never arrived lapse after a grace period.</summary>
[GenerateSerializer]
public sealed record JobLockView(string Key, string? JobId, string? Schedule, DateTimeOffset? ClaimedAt);
