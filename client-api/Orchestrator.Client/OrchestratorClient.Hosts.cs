using System.Net.Http.Headers;

namespace Orchestrator.Client;

public sealed partial class OrchestratorClient
{
    /// <summary>
    /// A page of the host inventory, filtered by a label selector (<c>role=web,zone in (a,b)</c>) and a namespace
    /// (default: every namespace the caller may read).
    /// </summary>
    public Task<Page<HostListItem>> ListHostsAsync(string? selector = null, PageRequest? page = null, string? @namespace = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<HostListItem>>("hosts" + Query(("selector", selector), ("namespace", @namespace), ("after", page?.After), ("limit", Text(page?.Limit))), cancellationToken);

    /// <summary>One host (404 if no agent registered it).</summary>
    public Task<HostInfo> GetHostAsync(string host, CancellationToken cancellationToken = default) =>
        GetAsync<HostInfo>($"hosts/{Segment(host)}", cancellationToken);

    /// <summary>
    /// Pauses a host (admin on its namespace; 404 if no agent registered it): it is handed no new work until resumed;
    /// what runs on it goes on. The host as it is now.
    /// </summary>
    public Task<HostInfo> PauseHostAsync(string host, CancellationToken cancellationToken = default) =>
        CommandAsync<HostInfo>(HttpMethod.Post, $"hosts/{Segment(host)}/pause", null, cancellationToken);

    /// <summary>Resumes a paused or draining host (admin): it takes new work again. The host as it is now.</summary>
    public Task<HostInfo> ResumeHostAsync(string host, CancellationToken cancellationToken = default) =>
        CommandAsync<HostInfo>(HttpMethod.Post, $"hosts/{Segment(host)}/resume", null, cancellationToken);

    /// <summary>
    /// Drains a host (admin): no new work, and <see cref="HostOperation.Drained"/> once nothing runs on it (its agent may
    /// then be stopped). The host as it is now (draining, or drained already if nothing ran).
    /// </summary>
    public Task<HostInfo> DrainHostAsync(string host, CancellationToken cancellationToken = default) =>
        CommandAsync<HostInfo>(HttpMethod.Post, $"hosts/{Segment(host)}/drain", null, cancellationToken);

    /// <summary>
    /// Uploads a file for distribution steps; it is named by its SHA-256. A retry sends the content again, so
    /// <paramref name="content"/> must be seekable for a retry to work (files are content-addressed: a second upload of
    /// the same bytes changes nothing).
    /// </summary>
    /// <remarks>The file goes into <paramref name="namespace"/> (default <c>default</c>): plans of that namespace may use it.</remarks>
    public Task<FileUploaded> UploadFileAsync(Stream content, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var body = new StreamContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return CommandAsync<FileUploaded>(HttpMethod.Post, "files" + Query(("namespace", @namespace)), body, cancellationToken);
    }

    /// <summary>Uploads bytes for distribution steps into <paramref name="namespace"/> (default <c>default</c>).</summary>
    public Task<FileUploaded> UploadFileAsync(byte[] content, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return CommandAsync<FileUploaded>(HttpMethod.Post, "files" + Query(("namespace", @namespace)), body, cancellationToken);
    }

    /// <summary>Opens an uploaded file's content (404 if there is none with that SHA-256); dispose the stream.</summary>
    public async Task<Stream> DownloadFileAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Get, $"files/{Segment(sha256)}", null, command: false, HttpCompletionOption.ResponseHeadersRead, null, cancellationToken).ConfigureAwait(false);
        return new ResponseStream(response, await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A response's body that disposes the response with it.</summary>
    private sealed class ResponseStream(HttpResponseMessage response, Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
