using System.Net;
using System.Runtime.CompilerServices;

namespace Orchestrator.Client;

public sealed partial class OrchestratorClient
{
    /// <summary>Chunks read per log request while following (the API's default page).</summary>
    private const int FollowPage = 1000;

    /// <summary>
    /// A run's progress as it happens: yields the instance's status and each step's status and target counts now, and
    /// again on every change, and ends after yielding a final status. The API has no push, so this reads
    /// <c>GET /task-instances/{id}</c> every <see cref="OrchestratorClientOptions.PollInterval"/>; changes between two
    /// reads are seen together. An instance that answers 404 is waited for up to
    /// <see cref="OrchestratorClientOptions.NotFoundGrace"/> (a run just answered 202 appears an instant later).
    /// Cancelling the token ends the watch with <see cref="OperationCanceledException"/>.
    /// </summary>
    public async IAsyncEnumerable<InstanceProgress> WatchAsync(string instanceId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var clock = _options.TimeProvider;
        string? last = null;
        DateTimeOffset? missingSince = null;
        while (true)
        {
            (var instance, missingSince) = await GetOrMissingAsync(instanceId, missingSince, cancellationToken).ConfigureAwait(false);
            if (instance is not null)
            {
                var progress = new InstanceProgress(instance.Id, instance.Status, instance.CurrentStep, instance.Reason, instance.Steps, instance);
                var signature = progress.Signature;
                if (signature != last)
                {
                    last = signature;
                    yield return progress;
                }
                if (progress.IsFinal)
                {
                    yield break;
                }
            }
            await Task.Delay(_options.PollInterval, clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The instance, or null while it answers 404 within the grace; with when it was first missing.</summary>
    private async Task<(TaskInstance? Instance, DateTimeOffset? MissingSince)> GetOrMissingAsync(string instanceId, DateTimeOffset? missingSince, CancellationToken cancellationToken)
    {
        try
        {
            return (await GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false), null);
        }
        catch (OrchestratorApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            var now = _options.TimeProvider.GetUtcNow();
            missingSince ??= now;
            if (now - missingSince.Value >= _options.NotFoundGrace)
            {
                throw;
            }
            return (null, missingSince);
        }
    }

    /// <summary>
    /// A run's log as it is written (<c>tail -f</c>): every chunk from the start of <paramref name="run"/> (default the
    /// latest run when the first chunk is read), in order, then new ones as they come, read every
    /// <see cref="OrchestratorClientOptions.PollInterval"/> with <c>from</c> = the last read's <c>nextSeq</c>. Ends when
    /// the log is complete (every chunk the agent sent is there), when the run ended and no more chunks came, or when
    /// the target never ran and the instance is over. Cancelling the token ends it.
    /// </summary>
    public async IAsyncEnumerable<LogChunk> FollowLogAsync(string instanceId, int step, string host, int? run = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentException.ThrowIfNullOrEmpty(host);
        long from = 0;
        var endedEmpty = false;
        while (true)
        {
            var page = await ReadLogOrNullAsync(instanceId, step, host, run, from, cancellationToken).ConfigureAwait(false);
            if (page is null)
            {
                if ((await GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false)).Status.IsFinal())
                {
                    yield break;
                }
            }
            else
            {
                run ??= page.Run;
                foreach (var chunk in page.Chunks)
                {
                    yield return chunk;
                }
                from = page.NextSeq;
                if (page.Complete)
                {
                    yield break;
                }
                if (page.Chunks.Count >= FollowPage)
                {
                    continue; // more is waiting: read on at once
                }
                if (page.Chunks.Count == 0)
                {
                    // A run that ended without all its chunks (its agent was lost) never becomes complete: stop after one
                    // empty read made once the run was final.
                    if (endedEmpty)
                    {
                        yield break;
                    }
                    var target = await GetTargetAsync(instanceId, step, host, cancellationToken).ConfigureAwait(false);
                    endedEmpty = target.Attempts.FirstOrDefault(a => a.Run == page.Run) is { } attempt && attempt.Status.IsFinal();
                }
            }
            await Task.Delay(_options.PollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A log read, or null while the target does not exist or has not run yet (404).</summary>
    private async Task<LogPage?> ReadLogOrNullAsync(string instanceId, int step, string host, int? run, long from, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadLogAsync(instanceId, step, host, new LogRequest(run, from, FollowPage), cancellationToken).ConfigureAwait(false);
        }
        catch (OrchestratorApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Every item of a paged list, page after page: <c>client.AllAsync((page, ct) =&gt; client.QueryInstancesAsync(null, page, ct))</c>.
    /// </summary>
    public async IAsyncEnumerable<T> AllAsync<T>(Func<PageRequest, CancellationToken, Task<Page<T>>> list, int? limit = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        string? after = null;
        do
        {
            var page = await list(new PageRequest(after, limit), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }
            after = page.Next;
        }
        while (after is not null);
    }
}
