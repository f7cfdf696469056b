namespace Orchestrator.Client;

public sealed partial class OrchestratorClient
{
    /// <summary>
    /// Creates or replaces schedule <paramref name="name"/> of plan <paramref name="planId"/>; with
    /// <paramref name="expectedRevision"/> only if that is still its revision (409 otherwise).
    /// </summary>
    public Task<ScheduleSaved> PutScheduleAsync(string planId, string name, ScheduleRequest schedule, int? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return CommandAsync<ScheduleSaved>(HttpMethod.Put, SchedulePath(planId, name), Json(schedule), expectedRevision, cancellationToken);
    }

    /// <summary>A schedule with its runs, skipped fires and next <paramref name="preview"/> fire times (default 5).</summary>
    public Task<Schedule> GetScheduleAsync(string planId, string name, int? preview = null, CancellationToken cancellationToken = default) =>
        GetAsync<Schedule>(SchedulePath(planId, name) + Query(("preview", Text(preview))), cancellationToken);

    /// <summary>
    /// A page of schedules: of one plan, or of all plans when <paramref name="planId"/> is null (of
    /// <paramref name="namespace"/>, default every namespace the caller may read).
    /// </summary>
    public Task<Page<ScheduleListItem>> ListSchedulesAsync(string? planId = null, PageRequest? page = null, string? @namespace = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<ScheduleListItem>>((planId is null ? "schedules" + Query(("namespace", @namespace), ("after", page?.After), ("limit", Text(page?.Limit)))
            : $"plans/{Segment(planId)}/schedules" + Query(("after", page?.After), ("limit", Text(page?.Limit)))), cancellationToken);

    /// <summary>The next <paramref name="count"/> fire times of a saved schedule (default 10) after <paramref name="from"/> (default now).</summary>
    public Task<SchedulePreview> PreviewScheduleAsync(string planId, string name, int? count = null, DateTimeOffset? from = null, CancellationToken cancellationToken = default) =>
        GetAsync<SchedulePreview>(SchedulePath(planId, name) + "/preview"
            + Query(("count", Text(count)), ("from", from?.ToString("O", System.Globalization.CultureInfo.InvariantCulture))), cancellationToken);

    /// <summary>Fire times of a cron expression, without saving anything.</summary>
    public Task<SchedulePreview> PreviewCronAsync(SchedulePreviewRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // A read, though it is a POST: nothing is stored, so it needs no idempotency key.
        return PostReadAsync<SchedulePreview>("schedules/preview", Json(request), cancellationToken);
    }

    /// <summary>Stops a schedule firing (due times meanwhile are recorded as skipped).</summary>
    public Task<ScheduleSuspended> SuspendScheduleAsync(string planId, string name, CancellationToken cancellationToken = default) =>
        CommandAsync<ScheduleSuspended>(HttpMethod.Post, SchedulePath(planId, name) + "/suspend", null, cancellationToken);

    /// <summary>Lets a suspended schedule fire again.</summary>
    public Task<ScheduleSuspended> ResumeScheduleAsync(string planId, string name, CancellationToken cancellationToken = default) =>
        CommandAsync<ScheduleSuspended>(HttpMethod.Post, SchedulePath(planId, name) + "/resume", null, cancellationToken);

    /// <summary>Runs the schedule now, outside its cron and overlap policy; a retry names the same instance.</summary>
    public Task<ScheduleRunStarted> RunScheduleNowAsync(string planId, string name, CancellationToken cancellationToken = default) =>
        CommandAsync<ScheduleRunStarted>(HttpMethod.Post, SchedulePath(planId, name) + "/run", null, cancellationToken);

    /// <summary>Deletes a schedule: no more fires; runs already going carry on.</summary>
    public Task DeleteScheduleAsync(string planId, string name, CancellationToken cancellationToken = default) =>
        CommandAsync(HttpMethod.Delete, SchedulePath(planId, name), null, cancellationToken);

    private static string SchedulePath(string planId, string name) => $"plans/{Segment(planId)}/schedules/{Segment(name)}";

    private async Task<T> PostReadAsync<T>(string path, HttpContent content, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, path, content, command: false, HttpCompletionOption.ResponseContentRead, null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, path, cancellationToken).ConfigureAwait(false);
    }
}
