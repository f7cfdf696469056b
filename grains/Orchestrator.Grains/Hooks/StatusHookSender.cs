using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Grains.Hooks;

/// <summary>One POST of a hook event, signed: what the receiver sees, and how it went.</summary>
public sealed class StatusHookSender
{
    /// <summary>The named <see cref="HttpClient"/> the sender uses.</summary>
    public const string ClientName = "status-hooks";

    public const string SignatureHeader = "X-Orchestrator-Signature";
    public const string RevisionHeader = "X-Orchestrator-Revision";
    public const string SubjectHeader = "X-Orchestrator-Subject";
    public const string DeliveryHeader = "X-Orchestrator-Delivery";
    public const string TimestampHeader = "X-Orchestrator-Timestamp";

    private static readonly Lazy<StatusHookSender> Fallback = new(() =>
    {
        var options = new StatusHookOptions();
        var client = new HttpClient(CreateHandler(options)) { Timeout = Timeout.InfiniteTimeSpan };
        return new StatusHookSender(() => client, options);
    });

    private readonly Func<HttpClient> _client;

    public StatusHookSender(Func<HttpClient> client, StatusHookOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        Options = options;
    }

    public StatusHookOptions Options { get; }

    /// <summary>
    /// The sender of a silo whose services lack <see cref="StatusHookRegistration.AddStatusHooks"/>: default options,
    /// one shared client. Hooks then still go out rather than failing the grain's activation.
    /// </summary>
    public static StatusHookSender Default => Fallback.Value;

    /// <summary>
    /// Redirects are failures (a POST must not turn into a GET elsewhere); pooled connections are renewed for DNS
    /// changes. With <see cref="StatusHookOptions.BlockPrivateNetworks"/> the connection is made only to resolved
    /// addresses outside loopback, link-local and private ranges, checked after DNS resolution (so a public name that
    /// resolves to an internal address is refused too, and the checked address is the one connected to).
    /// </summary>
    public static HttpMessageHandler CreateHandler(StatusHookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (options.BlockPrivateNetworks)
        {
            handler.ConnectCallback = ConnectPublicOnlyAsync;
        }
        return handler;
    }

    private static async ValueTask<Stream> ConnectPublicOnlyAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(a => !HookDestinations.IsBlocked(a)).ToArray();
        if (allowed.Length == 0)
        {
            // Wrapped in an HttpRequestException by the handler: the attempt's error, and so a parked event, says why.
            throw new IOException($"'{host}' resolves only to loopback, link-local or private addresses ({string.Join(", ", addresses.Take(4))}), and StatusHooks:BlockPrivateNetworks is on.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <c>sha256=</c> and the lowercase hex HMAC-SHA256, keyed with <paramref name="secret"/> (UTF-8), of
    /// <c>{timestamp}.{deliveryId}.{body}</c>: the timestamp and delivery id are signed too, so a captured request
    /// cannot be sent again later under a fresh timestamp or another delivery id.
    /// </summary>
    public static string Sign(string secret, string timestamp, string deliveryId, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(deliveryId);
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}.{deliveryId}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>POSTs the event; never throws: a non-2xx answer, a timeout or a connection error comes back as the error.</summary>
    public async Task<HookAttemptResult> SendAsync(HookPost post, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(post);
        ArgumentNullException.ThrowIfNull(clock);
        var body = Encoding.UTF8.GetBytes(post.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, post.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var secret = post.Secret ?? Options.DefaultSecret;
        if (!string.IsNullOrEmpty(secret))
        {
            request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(secret, timestamp, post.DeliveryId, body));
        }
        request.Headers.TryAddWithoutValidation(RevisionHeader, post.Revision.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(SubjectHeader, post.Subject);
        request.Headers.TryAddWithoutValidation(DeliveryHeader, post.DeliveryId);
        request.Headers.TryAddWithoutValidation(TimestampHeader, timestamp);
        using var timeout = new CancellationTokenSource(Options.AttemptTimeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await _client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return new HookAttemptResult(true, null);
            }
            // Status and reason phrase only: the body is not read, as it may echo the receiver's internal data and
            // the error is shown in the hook view and the parked list.
            return new HookAttemptResult(false, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new HookAttemptResult(false, $"no answer within {Options.AttemptTimeout}");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or NotSupportedException)
        {
            return new HookAttemptResult(false, $"{ex.GetType().Name}: {ex.Message}" + (ex.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : ""));
        }
    }
}

/// <summary>What one POST carries.</summary>
public sealed record HookPost(string Url, string? Secret, string Subject, long Revision, string DeliveryId, string Body);

/// <summary>How one POST went: delivered (2xx), or why not.</summary>
public sealed record HookAttemptResult(bool Delivered, string? Error);
