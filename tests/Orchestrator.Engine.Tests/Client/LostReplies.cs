using System.Collections.Concurrent;

namespace Orchestrator.Engine.Tests.Client;

/// <summary>
/// What <see cref="DropFirstReply"/> saw: each matching request's <c>Idempotency-Key</c>, in order, and how many replies
/// it dropped. Shared by the handlers the HttpClient factory builds.
/// </summary>
internal sealed class LostReplies
{
    public ConcurrentQueue<string?> Keys { get; } = new();

    public int Dropped;
}

/// <summary>
/// A transport fault under the client's retries: the first request that matches reaches the server and is processed,
/// then its reply is thrown away and the client sees a connection failure, as when a reply is lost on the way back — or,
/// with <paramref name="replaceWith"/>, a reply of that status instead (a proxy's 503 after the server applied it).
/// </summary>
internal sealed class DropFirstReply(LostReplies seen, Func<HttpRequestMessage, bool> matches, System.Net.HttpStatusCode? replaceWith = null) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!matches(request))
        {
            return await base.SendAsync(request, cancellationToken);
        }
        seen.Keys.Enqueue(request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null);
        var response = await base.SendAsync(request, cancellationToken);
        if (Interlocked.Increment(ref seen.Dropped) > 1)
        {
            Interlocked.Decrement(ref seen.Dropped);
            return response;
        }
        var status = (int)response.StatusCode;
        response.Dispose();
        if (replaceWith is { } replacement)
        {
            return new HttpResponseMessage(replacement) { RequestMessage = request };
        }
        throw new HttpRequestException($"The reply ({status}) was lost on the way back (test fault).");
    }
}

/// <summary>Records one header of every request that passes (null when absent).</summary>
internal sealed class HeaderProbe(LostReplies seen, string header) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        seen.Keys.Enqueue(request.Headers.TryGetValues(header, out var values) ? string.Join(",", values) : null);
        return base.SendAsync(request, cancellationToken);
    }
}
