using System.Globalization;
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

    private const int ErrorBodyChars = 200;

    private static readonly Lazy<StatusHookSender> Fallback = new(() =>
    {
        var client = new HttpClient(CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        return new StatusHookSender(() => client, new StatusHookOptions());
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

    /// <summary>Redirects are failures (a POST must not turn into a GET elsewhere); pooled connections are renewed for DNS changes.</summary>
    public static HttpMessageHandler CreateHandler() => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary><c>sha256=</c> and the lowercase hex HMAC-SHA256 of <paramref name="body"/> keyed with <paramref name="secret"/> (UTF-8).</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>POSTs the event; never throws: a non-2xx answer, a timeout or a connection error comes back as the error.</summary>
    public async Task<HookAttemptResult> SendAsync(HookPost post, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(post);
        ArgumentNullException.ThrowIfNull(clock);
        var body = Encoding.UTF8.GetBytes(post.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, post.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var secret = post.Secret ?? Options.DefaultSecret;
        if (!string.IsNullOrEmpty(secret))
        {
            request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(secret, body));
        }
        request.Headers.TryAddWithoutValidation(RevisionHeader, post.Revision.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(SubjectHeader, post.Subject);
        request.Headers.TryAddWithoutValidation(DeliveryHeader, post.DeliveryId);
        request.Headers.TryAddWithoutValidation(TimestampHeader, clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        using var timeout = new CancellationTokenSource(Options.AttemptTimeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await _client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return new HookAttemptResult(true, null);
            }
            var text = await ReadStartAsync(response, linked.Token).ConfigureAwait(false);
            return new HookAttemptResult(false, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}" + (text.Length > 0 ? ": " + text : ""));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new HookAttemptResult(false, $"no answer within {Options.AttemptTimeout}");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or NotSupportedException)
        {
            return new HookAttemptResult(false, ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message);
        }
    }

    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new char[ErrorBodyChars];
                using var reader = new StreamReader(stream, Encoding.UTF8);
                var read = await reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false);
                return new string(buffer, 0, read).ReplaceLineEndings(" ").Trim();
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return "";
        }
    }
}

/// <summary>What one POST carries.</summary>
public sealed record HookPost(string Url, string? Secret, string Subject, long Revision, string DeliveryId, string Body);

/// <summary>How one POST went: delivered (2xx), or why not.</summary>
public sealed record HookAttemptResult(bool Delivered, string? Error);
