using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Orchestrator.Api.Identity;

namespace Orchestrator.Api.WebConsole; // not ".Console": that would hide System.Console in the whole assembly

/// <summary>
/// One server-sent event response (<c>text/event-stream</c>) as the console's streams write it: unbuffered, a
/// <c>retry</c> hint, events whose id is a digest of their data (so that a client reconnecting with
/// <c>Last-Event-ID</c> gets an event only once it changed), and a comment line as a heartbeat after
/// <see cref="HeartbeatInterval"/> of silence, so that proxies keep the connection.
/// </summary>
internal sealed class EventStream
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    private readonly HttpContext _http;
    private readonly TimeProvider _clock;
    private string _lastId;
    private DateTimeOffset _lastWrite;

    private EventStream(HttpContext http, TimeProvider clock)
    {
        _http = http;
        _clock = clock;
        _lastId = http.Request.Headers["Last-Event-ID"].ToString();
        _lastWrite = clock.GetUtcNow();
    }

    /// <summary>Starts the response: its headers and the reconnect hint.</summary>
    public static async Task<EventStream> StartAsync(HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache, no-store";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var stream = new EventStream(http, clock);
        await stream.WriteAsync("retry: 2000\n\n", cancellationToken);
        return stream;
    }

    /// <summary>Sends <paramref name="name"/> with <paramref name="data"/> (JSON) unless it is what the client has.</summary>
    public async Task SendIfChangedAsync(string name, string data, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(data)).AsSpan(0, 12));
        if (id != _lastId)
        {
            await WriteAsync($"id: {id}\nevent: {name}\ndata: {data}\n\n", cancellationToken);
            _lastId = id;
        }
    }

    /// <summary>Sends an event that ends the stream (<c>end</c>, <c>gone</c>, <c>unauthorized</c>).</summary>
    public Task EndAsync(string name, CancellationToken cancellationToken) => WriteAsync($"event: {name}\ndata: {{}}\n\n", cancellationToken);

    /// <summary>A heartbeat comment, when nothing was written for <see cref="HeartbeatInterval"/>.</summary>
    public Task HeartbeatIfDueAsync(CancellationToken cancellationToken) =>
        _clock.GetUtcNow() - _lastWrite >= HeartbeatInterval ? WriteAsync(": heartbeat\n\n", cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Whether the request's credentials are still accepted (a token revoked or expired while the stream is open is
    /// not): authenticated again in a scope of its own, since a request's handler keeps its first answer.
    /// </summary>
    public async Task<bool> StillAuthenticatedAsync()
    {
        using var scope = _http.RequestServices.CreateScope();
        var probe = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        foreach (var name in new[] { "Authorization", "Cookie", ConsoleCookie.HeaderName })
        {
            if (_http.Request.Headers.TryGetValue(name, out var value))
            {
                probe.Request.Headers[name] = value;
            }
        }
        var result = await probe.AuthenticateAsync(IdentityRegistration.Scheme);
        return result.Succeeded;
    }

    private async Task WriteAsync(string text, CancellationToken cancellationToken)
    {
        await _http.Response.WriteAsync(text, cancellationToken);
        await _http.Response.Body.FlushAsync(cancellationToken);
        _lastWrite = _clock.GetUtcNow();
    }
}
