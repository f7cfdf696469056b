using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Orchestrator.Client.Http;
using Orchestrator.Client.Json;

namespace Orchestrator.Client;

/// <summary>
/// The typed client of the Orchestrator REST API (<c>/api/v1</c>, docs/api.md): the one way .NET code — the <c>orch</c>
/// CLI included — talks to the API. Every call takes a cancellation token; every state-changing call carries an
/// <c>Idempotency-Key</c> made once per call and repeated by each retry, so a retry after a lost reply applies once.
/// A refused or failed call throws <see cref="OrchestratorApiException"/> with the problem details.
/// </summary>
/// <remarks>
/// Make one with <see cref="OrchestratorClient(OrchestratorClientOptions, HttpMessageHandler?)"/> (it owns its
/// connections and retries; dispose it), or register it with
/// <see cref="OrchestratorClientServiceCollectionExtensions.AddOrchestratorClient"/> and take it from the container
/// (the HttpClient factory owns the connections). Resource calls are in the partial files beside this one.
/// </remarks>
public sealed partial class OrchestratorClient : IDisposable
{
    /// <summary>The header that names a command for retries (docs/api.md).</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const string ApiRoot = "api/v1/";

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly OrchestratorClientOptions _options;

    /// <summary>
    /// A client with its own connections and the retry pipeline (<see cref="ClientResilience"/>).
    /// <paramref name="transport"/> is the handler under the retries (default a new <see cref="SocketsHttpHandler"/>):
    /// a proxy, a test's fault injector.
    /// </summary>
    public OrchestratorClient(OrchestratorClientOptions options, HttpMessageHandler? transport = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        ClientResilience.Configure(pipeline, options);
        var handler = new ResilienceHandler(pipeline.Build()) { InnerHandler = transport ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } };
        _http = new HttpClient(handler, disposeHandler: true) { BaseAddress = options.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _ownsHttp = true;
    }

    /// <summary>A client on the API at <paramref name="baseAddress"/>, with a bearer token if given.</summary>
    public OrchestratorClient(Uri baseAddress, string? token = null)
        : this(new OrchestratorClientOptions { BaseAddress = baseAddress, Token = token })
    {
    }

    /// <summary>
    /// A client on an <see cref="HttpClient"/> made elsewhere (the HttpClient factory's, with
    /// <see cref="OrchestratorClientServiceCollectionExtensions.AddOrchestratorClient"/>): its handlers are its own, the
    /// client adds none. Its <see cref="HttpClient.BaseAddress"/> is set from the options when it has none.
    /// </summary>
    [ActivatorUtilitiesConstructor]
    public OrchestratorClient(HttpClient httpClient, IOptions<OrchestratorClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _options.Validate();
        _http = httpClient;
        _http.BaseAddress ??= _options.BaseAddress;
    }

    /// <summary>The API's address.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>A fresh idempotency key: one per logical call, repeated by that call's retries.</summary>
    internal static string NewIdempotencyKey() => Guid.NewGuid().ToString("N");

    /// <summary>A path segment, escaped.</summary>
    internal static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Uri.EscapeDataString(value);
    }

    /// <summary>A query string from the given pairs (nulls left out), escaped; empty when none.</summary>
    internal static string Query(params (string Name, string? Value)[] pairs)
    {
        var given = pairs.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    internal static string? Text(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static string? Text(long? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static JsonContent Json<T>(T body) => JsonContent.Create(body, options: ClientJson.Options);

    /// <summary>A read (GET) answered with JSON.</summary>
    internal async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, command: false, HttpCompletionOption.ResponseContentRead, null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A read answered with text.</summary>
    internal async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, command: false, HttpCompletionOption.ResponseContentRead, null, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A state-changing call answered with JSON; it carries a new idempotency key.</summary>
    internal Task<T> CommandAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken) =>
        CommandAsync<T>(method, path, content, null, cancellationToken);

    /// <summary>A state-changing call answered with JSON, conditional on <paramref name="ifMatch"/> (a version or revision) when given.</summary>
    internal async Task<T> CommandAsync<T>(HttpMethod method, string path, HttpContent? content, int? ifMatch, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, content, command: true, HttpCompletionOption.ResponseContentRead, ifMatch, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A state-changing call answered without a body (204).</summary>
    internal async Task CommandAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, content, command: true, HttpCompletionOption.ResponseContentRead, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends one call through the pipeline (retries included) and returns its successful reply; throws
    /// <see cref="OrchestratorApiException"/> for any other. A command gets its idempotency key here, once, on the
    /// request every retry repeats.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, bool command, HttpCompletionOption completion, int? ifMatch,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, ApiRoot + path) { Content = content };
        if (ifMatch is { } expected)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{Text(expected)}\"");
        }
        if (command)
        {
            request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, NewIdempotencyKey());
        }
        var token = _options.TokenProvider is { } provider ? await provider(cancellationToken).ConfigureAwait(false) : _options.Token;
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        var response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode && !ClientResilience.IsPending(response))
        {
            return response;
        }
        using (response)
        {
            throw await ErrorAsync(response, method.Method, "/" + ApiRoot + path, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ClientJson.Options, cancellationToken).ConfigureAwait(false)
                ?? throw new OrchestratorApiException($"/{ApiRoot}{path} answered {(int)response.StatusCode} with an empty body.");
        }
        catch (JsonException e)
        {
            throw new OrchestratorApiException($"/{ApiRoot}{path} answered {(int)response.StatusCode} with a body this client cannot read: {e.Message}", e);
        }
    }

    /// <summary>The exception of a reply that is not a success: its problem details when it has them, else its status.</summary>
    private static async Task<OrchestratorApiException> ErrorAsync(HttpResponseMessage response, string method, string path, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        ApiProblem? problem = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType is { } media && (media.EndsWith("+json", StringComparison.Ordinal) || media == "application/json"))
        {
            try
            {
                problem = JsonSerializer.Deserialize<ApiProblem>(text, ClientJson.Options);
            }
            catch (JsonException)
            {
                // Not problem JSON after all (a proxy's page): described by its status below.
            }
        }
        problem ??= new ApiProblem
        {
            Status = (int)response.StatusCode,
            Title = response.ReasonPhrase,
            Detail = text.Length == 0 ? null : text[..Math.Min(text.Length, 400)],
        };
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            return new OrchestratorCommandPendingException(problem, method, path, problem.Location ?? response.Headers.Location?.ToString());
        }
        return new OrchestratorApiException(response.StatusCode, problem, method, path);
    }
}
