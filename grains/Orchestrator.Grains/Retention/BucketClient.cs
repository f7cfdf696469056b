using System.Net;
using System.Xml.Linq;

namespace Orchestrator.Grains.Retention;

/// <summary>
/// The two S3 calls the archive needs — PutObject and GetObject, path-style, signed with <see cref="SigV4"/> over the
/// payload's SHA-256 — on a shared <see cref="HttpClient"/>. Requests are signed with the wall clock (the server
/// checks the signing time against its own), not the orchestrator clock, which tests move.
/// </summary>
internal sealed class BucketClient(BucketAddress address, string region, string accessKey, string secretKey, TimeProvider wallClock, HttpClient http)
{
    /// <summary>One client for every archive bucket of the process; connections are renewed every few minutes (DNS changes).</summary>
    public static readonly HttpClient SharedHttp = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromMinutes(10),
    };

    public BucketAddress Address => address;

    /// <summary>Stores <paramref name="body"/> (<paramref name="length"/> bytes whose SHA-256 is <paramref name="sha256"/>) as <paramref name="name"/>, replacing it.</summary>
    public async Task PutAsync(string name, Stream body, long length, string sha256, string contentType, CancellationToken cancellationToken)
    {
        using var request = Signed(HttpMethod.Put, name, sha256);
        request.Content = new StreamContent(body);
        request.Content.Headers.ContentLength = length;
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync("PUT", name, response, cancellationToken);
        }
    }

    /// <summary>
    /// Reads the object <paramref name="name"/> with <paramref name="read"/> (its content as a stream, closed after);
    /// false when the bucket has no such object.
    /// </summary>
    public async Task<bool> ReadAsync(string name, Func<Stream, Task> read, CancellationToken cancellationToken)
    {
        using var request = Signed(HttpMethod.Get, name, SigV4.EmptyPayload);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync("GET", name, response, cancellationToken);
        }
        await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
        await read(content);
        return true;
    }

    private HttpRequestMessage Signed(HttpMethod method, string name, string payloadSha256)
    {
        var path = address.PathOf(name);
        var request = new HttpRequestMessage(method, new Uri(address.Endpoint, path));
        var amzDate = SigV4.AmzDate(wallClock.GetUtcNow());
        var headers = new Dictionary<string, string>
        {
            ["host"] = address.Host,
            ["x-amz-content-sha256"] = payloadSha256,
            ["x-amz-date"] = amzDate,
        };
        request.Headers.Host = address.Host;
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadSha256);
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization",
            SigV4.Authorization(method.Method, path, "", headers, payloadSha256, accessKey, secretKey, region, "s3", wallClock.GetUtcNow()));
        return request;
    }

    /// <summary>An error naming the call, the object and S3's error code and message (never a credential).</summary>
    private async Task<ArchiveBucketException> FailureAsync(string method, string name, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? code = null, message = null;
        try
        {
            var error = XDocument.Parse(body).Root;
            code = error?.Element("Code")?.Value;
            message = error?.Element("Message")?.Value;
        }
        catch (System.Xml.XmlException)
        {
            // not S3's XML error body: the status says enough
        }
        var what = code is null ? "" : $": {code}{(message is null ? "" : $" ({message})")}";
        return new ArchiveBucketException($"{method} {address}/{name} answered {(int)response.StatusCode} {response.ReasonPhrase}{what}");
    }
}

/// <summary>The archive bucket refused or failed a call; the retention pass records it and tries the step again later.</summary>
public sealed class ArchiveBucketException(string message) : IOException(message);
