using System.Globalization;
using System.Text;
using k8s;

namespace Orchestrator.Containers.Execution;

/// <summary>
/// Follows one pod's log to its end, through dropped streams, without losing or repeating a line.
/// </summary>
/// <remarks>
/// The log is read with <c>timestamps=true</c>: every line starts with the kubelet's RFC 3339 timestamp. The follower
/// keeps a <see cref="PodLogCursor"/> (last timestamp, lines seen with it); a re-opened stream starts from the
/// beginning of the container's log and every line up to the cursor is skipped. (The API has no "after this line";
/// <c>sinceSeconds</c> is whole seconds and relative to the server's clock, so it cannot be made exact.) Only
/// complete lines count: a stream cut mid-line is re-read from that line. Once the pod has ended, one last read
/// without <c>follow</c> collects what was written after the last stream dropped. The cost is re-reading the log on
/// each reconnect, bounded by the per-pod cap. A log the kubelet rotated away while we were disconnected is lost to
/// us as to <c>kubectl logs</c>.
/// </remarks>
internal sealed class PodLogFollower
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _pod;
    private readonly string? _container;
    private readonly JobRunOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<bool> _ended;
    private readonly Func<PodLogChunk, CancellationToken, ValueTask> _sink;
    private PodLogCursor? _cursor;
    private long _bytes;

    public PodLogFollower(IKubernetes client, string ns, string pod, string? container, PodLogCursor? cursor, JobRunOptions options,
        TimeProvider time, Func<bool> ended, Func<PodLogChunk, CancellationToken, ValueTask> sink)
    {
        _client = client;
        _namespace = ns;
        _pod = pod;
        _container = container;
        _cursor = cursor;
        _options = options;
        _time = time;
        _ended = ended;
        _sink = sink;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var endedBefore = _ended();
                var result = await ReadAsync(follow: !endedBefore, cancellationToken).ConfigureAwait(false);
                if (result is ReadResult.Capped or ReadResult.Gone || (endedBefore && result == ReadResult.Complete))
                {
                    return;
                }
                if (result == ReadResult.Failed || !_ended())
                {
                    await Task.Delay(_options.ReconnectDelay, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: a refused connection racing the stop ends the follower as quietly as the cancellation does.
        }
    }

    private enum ReadResult
    {
        Complete,
        Failed,
        Capped,

        /// <summary>The pod no longer exists (404): its log went with it.</summary>
        Gone,
    }

    private async Task<ReadResult> ReadAsync(bool follow, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.CoreV1.ReadNamespacedPodLogWithHttpMessagesAsync(
                _pod, _namespace, container: _container, follow: follow, timestamps: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(response.Body, Encoding.UTF8);
            var skip = new LineSkipper(_cursor);
            var line = new StringBuilder();
            var buffer = new char[4096];
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != '\n')
                    {
                        line.Append(buffer[i]);
                        continue;
                    }
                    var text = line.ToString();
                    line.Clear();
                    if (!await DeliverAsync(text, skip, cancellationToken).ConfigureAwait(false))
                    {
                        return ReadResult.Capped;
                    }
                }
            }
            // A trailing piece without its newline is re-read whole next time (or, if the pod has ended and this was
            // the last read, it is all there is).
            if (line.Length > 0 && !follow && !await DeliverAsync(line.ToString(), skip, cancellationToken).ConfigureAwait(false))
            {
                return ReadResult.Capped;
            }
            return ReadResult.Complete;
        }
        catch (Exception e) when (KubernetesErrors.Status(e) == System.Net.HttpStatusCode.NotFound)
        {
            return ReadResult.Gone;
        }
        catch (Exception e) when (KubernetesErrors.IsTransport(e, cancellationToken) || e is k8s.Autorest.HttpOperationException)
        {
            // A dropped stream, or 400 "container is waiting to start" / 404 for a pod already gone: try again later.
            return ReadResult.Failed;
        }
    }

    /// <summary>Sends the line unless the cursor says it was sent; false once the cap is reached.</summary>
    private async Task<bool> DeliverAsync(string raw, LineSkipper skip, CancellationToken cancellationToken)
    {
        var (timestamp, text) = Split(raw);
        if (timestamp is not null && skip.AlreadySent(timestamp))
        {
            return true;
        }
        if (timestamp is not null)
        {
            _cursor = _cursor is { } c && c.Timestamp == timestamp ? c with { Count = c.Count + 1 } : new PodLogCursor(timestamp, 1);
        }
        _bytes += Encoding.UTF8.GetByteCount(text) + 1;
        if (_bytes > _options.LogBytesPerPod)
        {
            await _sink(new PodLogChunk(_pod, PodLogChunkKind.Truncated, $"[log of pod {_pod} truncated at {_options.LogBytesPerPod} bytes]", _cursor), cancellationToken).ConfigureAwait(false);
            return false;
        }
        await _sink(new PodLogChunk(_pod, PodLogChunkKind.Line, text, _cursor), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Splits the kubelet's timestamp from the line and normalises it to nine fraction digits, so strings order as times.</summary>
    internal static (string? Timestamp, string Text) Split(string raw)
    {
        var space = raw.IndexOf(' ', StringComparison.Ordinal);
        var stamp = space < 0 ? raw : raw[..space];
        if (stamp.Length < 20 || !stamp.EndsWith('Z'))
        {
            return (null, raw);
        }
        var dot = stamp.IndexOf('.', StringComparison.Ordinal);
        var seconds = dot < 0 ? stamp[..^1] : stamp[..dot];
        var fraction = dot < 0 ? "" : stamp[(dot + 1)..^1];
        if (!DateTime.TryParseExact(seconds, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            || fraction.Length > 9 || !fraction.All(char.IsAsciiDigit))
        {
            return (null, raw);
        }
        return ($"{seconds}.{fraction.PadRight(9, '0')}Z", space < 0 ? "" : raw[(space + 1)..]);
    }

    /// <summary>Skips, within one stream, the lines up to a cursor: earlier timestamps, and the first N with its timestamp.</summary>
    private sealed class LineSkipper(PodLogCursor? cursor)
    {
        private int _sameSeen;

        public bool AlreadySent(string timestamp)
        {
            if (cursor is null)
            {
                return false;
            }
            var order = string.CompareOrdinal(timestamp, cursor.Timestamp);
            if (order < 0)
            {
                return true;
            }
            if (order > 0)
            {
                return false;
            }
            return ++_sameSeen <= cursor.Count;
        }
    }
}
