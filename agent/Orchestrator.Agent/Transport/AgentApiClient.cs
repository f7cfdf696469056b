using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Protocol;

namespace Orchestrator.Agent.Transport;

/// <summary>
/// The agent's side of the HTTP protocol. Every call retries until it succeeds or its token is cancelled: connection
/// errors, timeouts, 408/429 and 5xx back off (100 ms doubling to <see cref="AgentOptions.RetryBackoffMax"/>), 401/403
/// wait <see cref="AgentOptions.AuthRetryDelay"/>. A session call answered 404/410 (the server does not know the
/// session), or any call after an outage longer than one heartbeat interval, registers again first, with the same
/// session id. Registration presents the registration token (<see cref="AgentOptions.Token"/>); every later call the
/// credential the registration answered with. A later call answered 401 (the credential was revoked, or the server's
/// registration token changed) drops the credential and registers again after <see cref="AgentOptions.AuthRetryDelay"/>;
/// a revoked host's registration is refused (403) until an admin restores it. Other 4xx answers throw <see cref="AgentApiException"/>; a 500 to events or logs throws
/// <see cref="AgentServerErrorException"/> (see <see cref="Reporting.ReportSender"/>).
/// </summary>
internal sealed partial class AgentApiClient : IDisposable
{
    private enum CallKind
    {
        Register,
        Session,

        /// <summary>A session call whose server errors the caller handles (events, logs).</summary>
        Report,
        File,
    }

    private readonly HttpClient http;
    private readonly AgentOptions options;
    private readonly AgentSession session;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly SemaphoreSlim registerGate = new(1, 1);
    private readonly Lock gate = new();
    private bool registered;
    private bool sessionLost;
    private string? credential;
    private long? outageSince;

    public AgentApiClient(AgentOptions options, AgentSession session, TimeProvider timeProvider, ILogger logger)
    {
        this.options = options;
        this.session = session;
        this.timeProvider = timeProvider;
        this.logger = logger;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            AutomaticDecompression = DecompressionMethods.All,
        };
        var baseAddress = options.Server!.ToString().TrimEnd('/') + "/api/v1/agent/";
        http = new HttpClient(handler) { BaseAddress = new Uri(baseAddress), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("orchestrator-agent", AgentSession.AgentVersion));
    }

    /// <summary>Raised after every successful registration (the first and each re-registration).</summary>
    public event Action? Registered;

    /// <summary>Successful registrations so far.</summary>
    public int Registrations { get; private set; }

    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        await registerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RegisterCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            registerGate.Release();
        }
    }

    /// <summary>Time allowed per host named, beyond the request timeout, to a registration or heartbeat (the server calls each host's grain).</summary>
    internal static readonly TimeSpan TimePerHost = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// The timeout of a call naming <paramref name="hosts"/> hosts: <paramref name="requestTimeout"/> and
    /// <see cref="TimePerHost"/> for each. A simulated fleet registers 100,000 hosts in one request, which a slow server
    /// takes longer than 30 s to store; given up and sent again, it would only add to the server's work.
    /// </summary>
    internal static TimeSpan ForHosts(TimeSpan requestTimeout, int hosts) =>
        requestTimeout == Timeout.InfiniteTimeSpan ? requestTimeout : requestTimeout + TimePerHost * hosts;

    public Task HeartbeatAsync(bool draining, CancellationToken cancellationToken) =>
        SendAsync(CallKind.Session, "heartbeat", () => Json(HttpMethod.Post, "heartbeat", new HeartbeatRequest(session.SessionId, session.HostNames, draining)),
            static (_, _) => Task.FromResult(true), ForHosts(options.RequestTimeout, session.HostNames.Count), cancellationToken);

    public Task<PollResponse> PollAsync(IReadOnlyList<string> hosts, IReadOnlyList<string> running, int maxAssignments, CancellationToken cancellationToken) =>
        SendAsync(CallKind.Session, "poll",
            () => Json(HttpMethod.Post, "poll", new PollRequest(session.SessionId, hosts, running, (int)session.PollWait.TotalMilliseconds,
                Math.Clamp(maxAssignments, 0, ProtocolLimits.MaxAssignmentsPerPoll))),
            ReadJsonAsync<PollResponse>, session.PollWait + options.RequestTimeout, cancellationToken);

    /// <summary>POST events. Besides the usual retries, a 500 (not 502/503/504, which mean the server is out of
    /// reach) throws <see cref="AgentServerErrorException"/>: the server failed on this batch, and the sender decides.</summary>
    public Task<AckResponse> SendEventsAsync(IReadOnlyList<AgentEvent> events, CancellationToken cancellationToken) =>
        SendAsync(CallKind.Report, "events", () => Json(HttpMethod.Post, "events", new EventsRequest(session.SessionId, events)),
            ReadJsonAsync<AckResponse>, options.RequestTimeout, cancellationToken);

    /// <summary>POST logs; server errors as <see cref="SendEventsAsync"/>.</summary>
    public Task<AckResponse> SendLogsAsync(IReadOnlyList<LogChunkDto> chunks, CancellationToken cancellationToken) =>
        SendAsync(CallKind.Report, "logs", () => Json(HttpMethod.Post, "logs", new LogsRequest(session.SessionId, chunks)),
            ReadJsonAsync<AckResponse>, options.RequestTimeout, cancellationToken);

    /// <summary>GET files/{sha256}; <paramref name="consume"/> reads the body and is called again from the start
    /// when the transfer breaks off. A 404 throws <see cref="AgentApiException"/>.</summary>
    public Task DownloadAsync(string sha256, Func<Stream, CancellationToken, Task> consume, CancellationToken cancellationToken) =>
        SendAsync(CallKind.File, "files/" + sha256, () => new HttpRequestMessage(HttpMethod.Get, "files/" + Uri.EscapeDataString(sha256)),
            async (response, ct) =>
            {
                var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    await consume(body, ct).ConfigureAwait(false);
                }
                return true;
            }, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>PUT files with the raw content <paramref name="open"/> returns (opened again for each attempt).</summary>
    public Task<UploadedFile> UploadAsync(Func<Stream> open, CancellationToken cancellationToken) =>
        SendAsync(CallKind.File, "files", () =>
            {
                var content = new StreamContent(open());
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                return new HttpRequestMessage(HttpMethod.Put, "files") { Content = content };
            }, ReadJsonAsync<UploadedFile>, Timeout.InfiniteTimeSpan, cancellationToken);

    public void Dispose()
    {
        http.Dispose();
        registerGate.Dispose();
    }

    private async Task RegisterCoreAsync(CancellationToken cancellationToken)
    {
        var response = await SendAsync(CallKind.Register, "register",
            () => Json(HttpMethod.Post, "register", new RegisterRequest(session.SessionId, AgentSession.AgentVersion, session.Hosts) { Namespace = options.Namespace }),
            ReadJsonAsync<RegisterResponse>, ForHosts(options.RequestTimeout, session.Hosts.Count), cancellationToken).ConfigureAwait(false);
        session.Apply(response);
        lock (gate)
        {
            credential = response.Credential;
            registered = true;
            sessionLost = false;
            outageSince = null;
        }
        Registrations++;
        Log.Registered(logger, session.SessionId, session.Hosts.Count, session.HeartbeatInterval, session.PollWait, Registrations > 1);
        Registered?.Invoke();
    }

    private async Task EnsureRegisteredAsync(CancellationToken cancellationToken)
    {
        if (!NeedsRegistration())
        {
            return;
        }
        await registerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (NeedsRegistration())
            {
                await RegisterCoreAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            registerGate.Release();
        }
    }

    /// <summary>The credential of the current registration; the registration token from servers of before credentials.</summary>
    private string Credential()
    {
        lock (gate)
        {
            return credential ?? options.Token;
        }
    }

    private bool NeedsRegistration()
    {
        lock (gate)
        {
            return !registered || sessionLost || (outageSince is long since && timeProvider.GetElapsedTime(since) >= session.HeartbeatInterval);
        }
    }

    private async Task<T> SendAsync<T>(CallKind kind, string endpoint, Func<HttpRequestMessage> build, Func<HttpResponseMessage, CancellationToken, Task<T>> read,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(options.RetryBackoffMax);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (kind is CallKind.Session or CallKind.Report)
            {
                await EnsureRegisteredAsync(cancellationToken).ConfigureAwait(false);
            }
            TimeSpan delay;
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                if (timeout != Timeout.InfiniteTimeSpan)
                {
                    attempt.CancelAfter(timeout);
                }
                try
                {
                    using var request = build();
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", kind == CallKind.Register ? options.Token : Credential());
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        var result = await read(response, attempt.Token).ConfigureAwait(false);
                        MarkReachable();
                        return result;
                    }
                    delay = await ClassifyAsync(kind, endpoint, response, backoff.Next(), attempt.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested
                                           && ex is HttpRequestException or IOException or OperationCanceledException or JsonException)
                {
                    MarkUnreachable(endpoint, ex.Message);
                    delay = backoff.Next();
                }
            }
            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Turns an error status into how long to wait before the next attempt, or throws when retrying is pointless.</summary>
    private async Task<TimeSpan> ClassifyAsync(CallKind kind, string endpoint, HttpResponseMessage response, TimeSpan backoff, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        switch ((int)status)
        {
            case 401 when kind != CallKind.Register:
                lock (gate)
                {
                    // Refused credential: a new registration gets a new one, or is refused itself while a host is revoked.
                    credential = null;
                    sessionLost = true;
                }
                MarkUnreachable(endpoint, $"{(int)status} {status}");
                Log.Unauthorized(logger, endpoint, (int)status, options.AuthRetryDelay);
                return options.AuthRetryDelay;
            case 401 or 403:
                MarkUnreachable(endpoint, $"{(int)status} {status}");
                Log.Unauthorized(logger, endpoint, (int)status, options.AuthRetryDelay);
                return options.AuthRetryDelay;
            case 404 or 410 when kind is CallKind.Session or CallKind.Report:
                lock (gate)
                {
                    sessionLost = true;
                }
                Log.SessionUnknown(logger, endpoint, (int)status);
                return TimeSpan.Zero;
            case 404 or 410 when kind == CallKind.Register:
                MarkUnreachable(endpoint, $"{(int)status} {status}");
                return backoff;
            case >= 500 and not (502 or 503 or 504) when kind == CallKind.Report:
                // The server answered, so it is reachable; it failed on this request.
                throw new AgentServerErrorException(status, endpoint, await ReadDetailAsync(response, cancellationToken).ConfigureAwait(false));
            case 408 or 425 or 429 or >= 500:
                MarkUnreachable(endpoint, $"{(int)status} {status}");
                return backoff;
        }
        var detail = await ReadDetailAsync(response, cancellationToken).ConfigureAwait(false);
        if (kind == CallKind.Register)
        {
            Log.RegistrationRejected(logger, (int)status, detail, options.AuthRetryDelay);
            return options.AuthRetryDelay;
        }
        throw new AgentApiException(status, endpoint, detail);
    }

    private static async Task<string> ReadDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length > 500 ? text[..500] : text;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return "";
        }
    }

    private void MarkUnreachable(string endpoint, string error)
    {
        bool first;
        lock (gate)
        {
            first = outageSince is null;
            outageSince ??= timeProvider.GetTimestamp();
        }
        if (first)
        {
            Log.Unreachable(logger, endpoint, error);
        }
        else
        {
            Log.RetryFailed(logger, endpoint, error);
        }
    }

    private void MarkReachable()
    {
        long? since;
        lock (gate)
        {
            since = outageSince;
            outageSince = null;
        }
        if (since is long start)
        {
            Log.Reachable(logger, timeProvider.GetElapsedTime(start));
        }
    }

    private static HttpRequestMessage Json<TBody>(HttpMethod method, string path, TBody body) =>
        new(method, path) { Content = JsonContent.Create(body, options: ProtocolJson.Options) };

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(ProtocolJson.Options, cancellationToken).ConfigureAwait(false)
        ?? throw new JsonException($"The server answered {typeof(T).Name} with null.");
}

/// <summary>The server's answer to PUT files.</summary>
internal sealed record UploadedFile(string Sha256, long Size);
